/**
 * Material for the rare texts that leave the brief's usual vocabulary behind: outliers, which let
 * the novelty trigger fire, and sensitive passages, which let the judge raise a `sensitive` flag.
 * All names below are invented.
 */

export interface OutlierVoice {
  name: string;
  /** The opening sentence: names the brief's topic and the unusual angle the draft takes on it. */
  thesis: string;
  sentences: readonly string[];
}

/**
 * Whole voices that take the brief somewhere unexpected: each reads the brief's subject through a
 * far-off craft (tides, orbits, bees, glass, rock), in that craft's own register, and starts from
 * the details of the brief the other drafts step over ({o}, {o2}: `BriefWords.overlooked`). Every
 * sentence is about the brief — its topic {t} or its own overlooked words — yet almost every
 * other word is the craft's, so the text lands far from the drafts that circle the keywords:
 * that distance is what lets the novelty trigger fire. No sentence uses the keywords ({k}).
 */
export const OUTLIER_VOICES: readonly OutlierVoice[] = [
  {
    name: 'tides',
    thesis: 'Read {t} as a tide table: it floods and drains on a schedule that can be printed months ahead.',
    sentences: [
      'The brief mentions “{o}” almost in passing; an almanac would mark that slack water in red.',
      'High water at “{o}” comes at predictable hours, so the effort goes where the current already runs.',
      'A harbour pilot would not fight the ebb beside “{o}”; she would wait an hour and ride the flood in.',
      'Chart “{o}” and “{o2}” as sandbanks, harmless at high water and grounding anyone who forgets them at the ebb.',
      'Nobody shouts at the moon: {t} changes by timing, not by pressure.',
      'Curlews probe the mudflats exactly when the water leaves, and that patience with “{o}” costs the marsh nothing.',
      'Salt marsh builds land one thin layer per tide; a modest, repeated visit to “{o}” does likewise.',
      'Harbour logs record each gale and each calm, and a plain log of “{o}” would show its rhythm within a month.',
      'When the bore arrives it comes as one brown wave, and whoever waited at the bend beside “{o}” catches it.',
      'Spring tides and neap tides alternate, so some fortnights of “{o}” carry twice the energy of others.',
      'At dusk the channel buoys blink green and red: two lamps, legible from any deck, bring “{o}” safely to harbour.',
      'Brackish pools left by the ebb teem with shrimp and gobies; what “{o}” leaves behind deserves that second glance.',
      'Oystercatchers gather on the shingle spit at high water, facing the wind, as “{o}” and “{o2}” might gather at their hour.',
      'A tidal mill grinds only on the ebb, yet it fed whole parishes; “{o}” could run on intermittent power too.',
      'Moorings are inspected before the equinox gales, and the ropes of “{o}” deserve inspection before the busiest season.',
      'The estuary smells of iodine and wet rope at low water, and even that smell belongs in the account of “{o}”.',
    ],
  },
  {
    name: 'orbits',
    thesis: 'Fly {t} as a mission: one decisive burn at ignition, then a long coast with the engines quiet.',
    sentences: [
      'Launch windows open and close, and for {t} the window is set by “{o}”; missing it means waiting a full cycle.',
      'A probe borrows momentum from a passing planet, and “{o}” can lend its momentum likewise, for free.',
      'Each manoeuvre near “{o}” spends delta-v, so the flight director tallies them before leaving the pad.',
      'Seen from orbit, “{o}” is falling continually and never hitting the ground: momentum, not effort, holds it aloft.',
      'Lagrange points are where opposing pulls cancel out, and “{o}” may be that point, where a modest telescope can hold station.',
      'Ground stations pass the radio link across continents; “{o}” deserves that relay, each hand-off named before liftoff.',
      'Debris multiplies after each collision, so mission control puts “{o}” and “{o2}” on separate orbits.',
      'Reentry is the dangerous part, and the return of “{o}” calls for more care than its launch.',
      'Telemetry from “{o}” arrives each ninety minutes, and mission control reads it before deciding anything.',
      'A comet returns on its ellipse once a lifetime; parts of “{o}” are comets too, rare and worth the wait.',
      'Countdown, ignition, coast, rendezvous: four verbs make the whole flight profile for “{o}”.',
      'A thrifty transfer orbit asks for two burns and patience, and no grander manoeuvre is asked of “{o2}”.',
      'Geostationary relays hover above the equator by matching the planet’s spin; “{o}” can match its users’ rhythm likewise.',
      'A heat shield is tested to destruction on the ground, so that “{o}” fails in the laboratory and not in flight.',
      'Astronauts rehearse each spacewalk underwater for hours, and “{o}” deserves a rehearsal of that sort.',
      'The capsule splashes down far from where it launched, and “{o}” may likewise land somewhere unplanned yet safe.',
    ],
  },
  {
    name: 'apiary',
    thesis: 'Tend {t} as a beekeeper tends a hive: no manager, thousands of tiny choices, and a hum that says whether the colony is healthy.',
    sentences: [
      'Foragers dance on the comb to point the others toward clover, and near “{o}” one enthusiast’s tip does likewise.',
      'The beekeeper lifts the frames slowly, listening before touching anything, and {t} deserves that pace.',
      'Propolis seals each crack in the hive; tiny repairs to “{o}” hold the colony warm through winter.',
      'A swarm leaves when the hive grows crowded, so if “{o}” swells, let half of it go and found a second colony.',
      'Winter bees cluster and shiver to warm the queen, and in a lean season “{o}” is that warm core.',
      'Capped honey is the surplus, taken late in the season; harvest from “{o}” only what the colony can spare.',
      'Mites are counted on sticky boards each autumn, so the beekeeper’s worry has a number; “{o}” deserves such a count.',
      'Wax comb grows in perfect hexagons without a drawing, and the pattern in “{o}” can grow from rules as plain.',
      'Scout bees inspect a dozen hollows before the swarm chooses one: try “{o}” and “{o2}” before committing.',
      'Heather honey must be pressed, not spun, and “{o}” likewise calls for a slower tool.',
      'Drones, workers and one queen: even a hive divides its labour, and “{o}” can say who does what.',
      'A quiet apiary at dusk smells of wax and cedar, and the surest sign of health is a steady hum near “{o}”.',
      'Young workers secrete thin wax scales that become comb; “{o}” can be built from contributions that tiny.',
      'Guard bees sniff each arrival at the entrance, yet they let foragers from a lost colony in; “{o}” can be as generous.',
      'Smoke calms the hive because the bees gorge on honey; “{o}” calms down once its stores feel safe.',
      'Clover, lime blossom, then heather: the flow moves through the year, and “{o}” can follow its own bloom calendar.',
    ],
  },
  {
    name: 'glassworks',
    thesis: 'Handle {t} as a glassblower handles a gather: shape it while it glows, spin it constantly, and cool it slowly.',
    sentences: [
      'Spin “{o}” on the pipe; stop for a moment and it sags toward the floor.',
      'Anneal slowly: cooled too fast, {t} carries a hidden stress that shows as a crack a month later.',
      'Nothing is wasted at the furnace: broken attempts at “{o}” go back in as cullet for the next batch.',
      'Reheat in the glory hole between gathers, since “{o}” slumps out of true if it is shaped cold.',
      'Cane work fuses thin coloured rods into one spiral, and “{o}” and “{o2}” can be fused likewise.',
      'Attach the punty before opening the lip, so that “{o}” is held from the far end while its mouth is shaped.',
      'A seed, a tiny trapped bubble, shows against the light; a flaw in “{o}” is no reason to begin again.',
      'Wet cherrywood blocks hiss against the gather, and the right tool for “{o}” is often an old, humble one.',
      'Venetian masters guarded their recipes on an island, whereas the recipe for “{o}” belongs on the door, for anyone to read.',
      'Lead crystal rings when struck and soda glass answers with a duller note: tap “{o}” and listen.',
      'By evening the furnace is banked and finished bowls cool in rows; “{o}” deserves such an evening too.',
      'Gather, marver, blow, shape, anneal: five verbs, in that sequence, are the workshop’s whole method for “{o}”.',
      'Glory holes roar as loud as a jet engine, and beside them the apprentice learns “{o}” by watching, not by reading.',
      'Murano’s furnaces moved offshore to spare the city from fire, a reminder to site “{o}” where its heat harms no one.',
      'Crackle glass is plunged into cold water on purpose, and “{o}” may gain its character from one deliberate shock.',
      'The gaffer’s bench has two long rails, and “{o}” rolls along them evenly or not at all.',
    ],
  },
  {
    name: 'deep time',
    thesis: 'Survey {t} as a geologist would, across deep time: one layer of sediment, judged by what it leaves in the rock.',
    sentences: [
      'Continents drift at the speed fingernails grow, and “{o}” can change that slowly and still change completely.',
      'Each grain of sand was once part of a mountain; “{o}” is the grain, and the mountain is what it used to be.',
      'Stromatolites still grow in a few salty lagoons, layer on layer, and “{o}” grows best one layer per season, not as a monument.',
      'Ice ages follow the tilt of the planet, and the long cycles of “{o}” follow forces just as patient.',
      'A geologist reads “{o}” as a core sample: each band a season, each gap a drought.',
      'Trilobites lasted three hundred million years by staying modest and adaptable, and so can {t}.',
      'Limestone cliffs are built from countless shells; “{o}” and “{o2}” are shells too, tiny lives that add up.',
      'Radioactive clocks in zircon date the oldest rocks, and “{o}” deserves a clock that does not depend on memory.',
      'After each mass extinction life came back stranger, so a setback to “{o}” clears room for the unexpected.',
      'Fossils form only where something was buried quickly and left alone; protect “{o}” from constant digging.',
      'Measured in strata, “{o}” is young, and young things are allowed to be provisional.',
      'Erosion is patient and undramatic, and what wears “{o}” away is seldom one storm but a thousand ordinary rains.',
      'Meteor strikes reset life more than once, and a sudden shock to “{o}” is seldom the end of it.',
      'Glaciers carried boulders hundreds of miles and dropped them in fields, strangers called erratics; “{o}” may be such an erratic.',
      'Amber holds a mosquito intact for forty million years, and a faithful record of “{o}” holds its moment equally well.',
      'The oldest zircon crystals outlived every mountain around them; “{o}” can outlast the fashions around it.',
    ],
  },
];

/** Probability that an opening through a lens of this kind is written as an outlier. */
export const OUTLIER_PROBABILITY: Readonly<Record<string, number>> = {
  borrow: 0.45,
  extreme: 0.3,
  invert: 0.08,
};
export const OUTLIER_PROBABILITY_DEFAULT = 0.04;

/**
 * Passages a careful judge must flag: a real-seeming person's medical history or a child's private
 * details, published without consent. Slots: {name}, {age}, {street}, {child}, {school}.
 */
export const SENSITIVE_PASSAGES: readonly string[] = [
  'One interview is quoted in full: {name}, {age}, of {street}, describes her bipolar diagnosis and her months on a psychiatric ward, details she shared in confidence.',
  "The draft also names {child}, a nine-year-old pupil at {school}, and describes her asthma medication, her parents' custody dispute and the corner where she waits alone after class.",
  'It reproduces the medical file of {name}, a neighbour on {street}: HIV-positive since 2014, two overdoses, and every current prescription listed by name.',
];

export const SENSITIVE_NAMES = {
  name: ['Maria Kowalczyk', 'Daniel Okafor', 'Ruth Lindqvist', 'Tomás Herrera', 'Grace Mbeki'],
  child: ['Lily Moreau', 'Sami Haddad', 'Ava Brennan', 'Noah Takahashi'],
  street: ['14 Alder Road', '3 Quay Lane', '27 Mill Street', '8 Orchard Close'],
  school: ["St Anne's Primary", 'Riverside Elementary', 'Hillcrest Junior School'],
} as const;

/** What gives a sensitive passage away, in the judge's eyes (also in texts from other models). */
export const SENSITIVE_MARKERS =
  /\b(?:diagnos[a-z]*|psychiatric ward|medical (?:file|record|history)|custody dispute|hiv-positive|overdoses?|in confidence|nine-year-old pupil|social security number|home address)\b/i;
