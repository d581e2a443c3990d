// The component's colours: tokens namespaced --adbs-* (Archon's own --accent, --card, --muted … are bare
// HSL triplets; ours never collide with them), a light and a dark set for the default look and for the
// Archon look (preset="archon": black, zinc borders, purple accent), and which of the two schemes applies.
//
// theme="light" | "dark" | "auto" (default). auto follows the page: <html class="dark"> (Archon's toggle)
// → dark, <html class="light"> → light; with no such class, the operating system's prefers-color-scheme —
// except under preset="archon": Archon only adds or removes "dark", so its absence means light.
// The resolved scheme is reflected on the element as data-adbs-scheme="light" | "dark" | "system" (the OS
// decides, through a CSS media query, so a change of the OS setting applies at once).

/** Every token, so no preset leaves one to another's default. */
const TOKENS = ['bg', 'card', 'fg', 'muted', 'line', 'accent', 'accent-fg', 'ok', 'ok-bg', 'ok-fg', 'warn', 'warn-bg',
  'bad', 'bad-bg', 'bad-fg', 'track', 'focus', 'backdrop'];

const LOOKS = {
  default: {
    light: { bg: '#f6f7f9', card: '#ffffff', fg: '#1b1f24', muted: '#5b6470', line: '#d9dde3', accent: '#2563eb', 'accent-fg': '#ffffff',
      ok: '#15803d', 'ok-bg': '#e8f6ec', 'ok-fg': '#ffffff', warn: '#9a5b00', 'warn-bg': '#fff4de', bad: '#b42318', 'bad-bg': '#fdecea',
      'bad-fg': '#ffffff', track: '#e5e8ee', focus: '#93b4ff', backdrop: 'rgb(0 0 0 / .45)' },
    dark: { bg: '#111418', card: '#1a1f26', fg: '#e7eaee', muted: '#9aa4b1', line: '#2f3742', accent: '#5b8def', 'accent-fg': '#0b1020',
      ok: '#4ade80', 'ok-bg': '#12301d', 'ok-fg': '#0b1020', warn: '#fbbf24', 'warn-bg': '#33270c', bad: '#f87171', 'bad-bg': '#3a1616',
      'bad-fg': '#0b1020', track: '#2a313b', focus: '#3b6fd8', backdrop: 'rgb(0 0 0 / .6)' },
  },
  // Archon v1's index.css: light background 0 0% 98%, foreground 240 10% 3.9%, border 240 5.9% 90%; dark
  // background and card black, border 240 3.7% 15.9% (zinc-800), muted text 240 5% 65% (zinc-400); the
  // accent purple 271 91% 65% (#a855f7). Text colours are darkened or lightened where needed for contrast.
  archon: {
    light: { bg: '#fafafa', card: '#ffffff', fg: '#09090b', muted: '#52525b', line: '#e4e4e7', accent: '#9333ea', 'accent-fg': '#ffffff',
      ok: '#047857', 'ok-bg': '#ecfdf5', 'ok-fg': '#ffffff', warn: '#a16207', 'warn-bg': '#fefce8', bad: '#b91c1c', 'bad-bg': '#fef2f2',
      'bad-fg': '#ffffff', track: '#e4e4e7', focus: '#c084fc', backdrop: 'rgb(0 0 0 / .45)' },
    dark: { bg: '#000000', card: '#09090b', fg: '#fafafa', muted: '#a1a1aa', line: '#27272a', accent: '#a855f7', 'accent-fg': '#000000',
      ok: '#34d399', 'ok-bg': '#022c22', 'ok-fg': '#000000', warn: '#fbbf24', 'warn-bg': '#261a03', bad: '#f87171', 'bad-bg': '#2a0a0a',
      'bad-fg': '#000000', track: '#27272a', focus: '#c084fc', backdrop: 'rgb(0 0 0 / .7)' },
  },
};

const declarations = (set) => TOKENS.map((t) => `--adbs-${t}: ${set[t]};`).join(' ');

/** The tokens as :host rules; an embedder's own `archon-db-sync { --adbs-…: … }` still wins over them. */
export const THEME_CSS = [
  `:host { ${declarations(LOOKS.default.light)} color-scheme: light; }`,
  `:host([data-adbs-scheme=dark]) { ${declarations(LOOKS.default.dark)} color-scheme: dark; }`,
  `@media (prefers-color-scheme: dark) { :host([data-adbs-scheme=system]) { ${declarations(LOOKS.default.dark)} color-scheme: dark; } }`,
  `:host([preset=archon]) { ${declarations(LOOKS.archon.light)} }`,
  `:host([preset=archon][data-adbs-scheme=dark]) { ${declarations(LOOKS.archon.dark)} }`,
  `@media (prefers-color-scheme: dark) { :host([preset=archon][data-adbs-scheme=system]) { ${declarations(LOOKS.archon.dark)} } }`,
].join('\n');

/** light, dark, or system (the OS decides), for the theme attribute and the <html> element's classes. */
export function resolveScheme(theme, preset, htmlClasses) {
  if (theme === 'light' || theme === 'dark') return theme;
  if (htmlClasses.contains('dark')) return 'dark';
  if (htmlClasses.contains('light') || preset === 'archon') return 'light';
  return 'system';
}

/**
 * Keeps host's data-adbs-scheme right as <html>'s class changes (Archon's toggle flips it at run time).
 * Returns apply (call it when theme or preset change) and stop.
 */
export function watchScheme(host) {
  const html = document.documentElement;
  const apply = () => {
    const scheme = resolveScheme(host.getAttribute('theme'), host.getAttribute('preset'), html.classList);
    if (host.getAttribute('data-adbs-scheme') !== scheme) host.setAttribute('data-adbs-scheme', scheme);
  };
  const observer = new MutationObserver(apply);
  observer.observe(html, { attributes: true, attributeFilter: ['class'] });
  apply();
  return { apply, stop: () => observer.disconnect() };
}
