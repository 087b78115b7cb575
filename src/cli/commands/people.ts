import type { Command } from 'commander';
import { BatonError } from '../../errors.js';
import { addPerson, checkPersonName } from '../../team/people.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, withBaton } from '../context.js';
import { printJson } from '../io.js';
import { sanitizeTerminal } from '../../util/sanitize/terminal.js';

/**
 * `baton user add|list|remove` and `baton share`: the people of a shared server (`baton serve`
 * on this store) and what each may see or decide. Run by the store's owner, beside the store.
 */
export function registerPeople(program: Command, ctx: CliContext): void {
  const user = program.command('user').description('The people who may use a shared server: each has a name and their own token');

  common(
    user
      .command('add')
      .argument('<name>', 'their name: lower-case letters, digits, ".", "_" or "-"')
      .description('Add a person; prints their token once (only its hash is kept: it cannot be shown again)'),
  ).action(async (name: string, options: CommonOptions) => {
    await withBaton(ctx, options, async (baton) => {
      const { person, token } = await addPerson(baton.store, name);
      // The token goes to stdout only (data), never to a log; it is not stored.
      if (options.json) printJson(ctx.io, { name: person.name, createdAt: person.createdAt, token });
      else {
        ctx.io.out(`${token}\n`);
        ctx.io.err(`Added ${person.name}. Give them the token above, once: they sign in with it (Authorization: Bearer …, or /?token=… on the server). It is not shown again.\n`);
      }
    });
  });

  common(user.command('list').description('List the people, and what is shared with each')).action(async (options: CommonOptions) => {
    await withBaton(ctx, options, async (baton) => {
      const [people, shares] = await Promise.all([baton.store.listPeople(), baton.store.listShares()]);
      const rows = people.map((p) => ({ ...p, shares: shares.filter((s) => s.person === p.name).map((s) => ({ explorationId: s.explorationId, access: s.access })) }));
      if (options.json) {
        printJson(ctx.io, { people: rows });
        return;
      }
      if (rows.length === 0) ctx.io.err('No people yet: the server takes only its launch token. Add someone with: baton user add NAME\n');
      for (const row of rows) {
        const what = row.shares.map((s) => `${s.explorationId} (${s.access})`).join(', ');
        ctx.io.out(`${sanitizeTerminal(row.name)}\t${row.createdAt}\t${what || '—'}\n`);
      }
    });
  });

  common(user.command('remove').argument('<name>', 'their name').description('Remove a person: their token stops working and their shares go; their decisions keep their name')).action(
    async (name: string, options: CommonOptions) => {
      await withBaton(ctx, options, async (baton) => {
        if (!(await baton.store.removePerson(checkPersonName(name)))) throw new BatonError('not_found', `No person named "${name}" (baton user list shows who there is).`, { location: { field: 'name' } });
        if (options.json) printJson(ctx.io, { removed: name });
        else ctx.io.err(`Removed ${name}.\n`);
      });
    },
  );

  common(
    program
      .command('share')
      .argument('<exploration>', 'exploration id (or a unique prefix)')
      .argument('<user>', 'the person to share it with')
      .option('--can <right>', 'read: see it; decide: see it and decide there', 'read')
      .option('--revoke', 'take the share away instead')
      .description('Share an exploration with a person on a shared server, read-only or with the right to decide'),
  ).action(async (exploration: string, person: string, options: CommonOptions & { can: string; revoke?: boolean }) => {
    await withBaton(ctx, options, async (baton) => {
      const id = await baton.resolveId(exploration);
      const name = checkPersonName(person);
      if (options.revoke) {
        const removed = await baton.store.unshare(id, name);
        if (options.json) printJson(ctx.io, { explorationId: id, person: name, revoked: removed });
        else ctx.io.err(removed ? `${name} no longer sees ${id}.\n` : `${id} was not shared with ${name}.\n`);
        return;
      }
      if (options.can !== 'read' && options.can !== 'decide') {
        throw new BatonError('invalid_input', `--can ${options.can}: say read or decide`, { location: { field: '--can' } });
      }
      const share = await baton.store.share({ explorationId: id, person: name, access: options.can, createdAt: new Date().toISOString() });
      if (options.json) printJson(ctx.io, share);
      else ctx.io.err(`${name} may now ${share.access === 'decide' ? 'see and decide on' : 'see'} ${id}.\n`);
    });
  });
}
