import type { ReactElement } from 'react';
import Markdown from 'react-markdown';
import type { Components } from 'react-markdown';

/**
 * Model output is untrusted text. It is shown as Markdown through react-markdown, which builds
 * React elements (never innerHTML): raw HTML in the text becomes visible text, `javascript:` links
 * are dropped by its URL filter, and images are replaced by their alt text so no external image
 * is ever fetched.
 */
const components: Components = {
  img: ({ alt }) => <span className="image-placeholder">[image{alt ? `: ${alt}` : ''}]</span>,
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  ),
};

export function ModelText({ text, plain = false }: { text: string; plain?: boolean }): ReactElement {
  if (plain) return <div className="model-text plain">{text}</div>;
  return (
    <div className="model-text">
      <Markdown components={components}>{text}</Markdown>
    </div>
  );
}
