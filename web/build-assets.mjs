// Copies the front-end files Linkwell serves from node_modules into
// internal/web/static/dist/, which the Go binary embeds and serves at /assets/.
//
// Run with `npm run build` (or `make assets`). It is idempotent: the output
// directory is rebuilt from scratch every time.

import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modules = join(root, 'node_modules');
const out = join(root, 'internal', 'web', 'static', 'dist');
const nhsuk = join(modules, 'nhsuk-frontend', 'dist', 'nhsuk');

// Each entry is copied byte for byte unless it has a transform.
const files = [
  { from: join(nhsuk, 'nhsuk-frontend.min.css'), to: 'nhsuk-frontend.min.css', transform: localiseCSS },
  { from: join(nhsuk, 'nhsuk-frontend.min.js'), to: 'nhsuk-frontend.min.js', transform: dropSourceMap },
  { from: join(modules, 'htmx.org', 'dist', 'htmx.min.js'), to: 'htmx.min.js', transform: dropSourceMap },
];
const imageDir = join(nhsuk, 'assets', 'images');

// The design system loads its Frutiger web font from assets.nhs.uk. Our
// Content-Security-Policy allows only 'self' and the service may run with no
// internet, so those rules are removed and the font stack falls back to Arial.
// In the minified CSS an @font-face block holds no nested braces, so
// "@font-face{...}" up to the first "}" is exactly one rule.
const remoteFontFace = /@font-face\{[^{}]*url\(\s*["']?https:\/\/assets\.nhs\.uk\/fonts\/[^{}]*\}/g;

function localiseCSS(css, name) {
  const stripped = dropSourceMap(css.replace(remoteFontFace, ''), name);
  if (/https?:\/\//.test(stripped.replace(/\/\*[\s\S]*?\*\//g, ''))) {
    throw new Error(`${name}: still refers to a remote URL after removing @font-face rules`);
  }
  checkBraces(stripped, name);
  return stripped;
}

// The source maps are not shipped, so a reference to one would only 404.
function dropSourceMap(text) {
  return text.replace(/\n?\/[/*]# sourceMappingURL=[^\n]*?(\*\/)?\s*$/, '\n');
}

// A cheap parse check: braces balance and never close more than they open.
function checkBraces(css, name) {
  const body = css.replace(/\/\*[\s\S]*?\*\//g, '').replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'/g, '""');
  let depth = 0;
  for (const ch of body) {
    if (ch === '{') depth++;
    if (ch === '}' && --depth < 0) throw new Error(`${name}: unbalanced "}" after stripping`);
  }
  if (depth !== 0) throw new Error(`${name}: ${depth} unclosed "{" after stripping`);
}

async function mustExist(path) {
  try {
    await stat(path);
  } catch {
    throw new Error(`missing ${relative(root, path)}: run "npm ci" first`);
  }
}

async function build() {
  for (const f of files) await mustExist(f.from);
  await mustExist(imageDir);

  await rm(out, { recursive: true, force: true });
  await mkdir(join(out, 'images'), { recursive: true });

  const written = [];
  for (const f of files) {
    const text = await readFile(f.from, 'utf8');
    await writeFile(join(out, f.to), f.transform(text, f.to));
    written.push(f.to);
  }
  for (const image of (await readdir(imageDir)).sort()) {
    await copyFile(join(imageDir, image), join(out, 'images', image));
    written.push(`images/${image}`);
  }

  await writeFile(join(out, 'manifest.txt'), written.join('\n') + '\n');
  console.log(`build-assets: wrote ${written.length} files to ${relative(root, out)}/`);
}

build().catch((err) => {
  console.error(`build-assets: ${err.message}`);
  process.exit(1);
});
