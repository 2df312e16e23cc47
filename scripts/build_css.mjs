#!/usr/bin/env node
// Build the Hub's stylesheets and icons from Wikimedia Codex, keeping only what the Hub uses.
//
// Reads the pinned @wikimedia/codex, codex-design-tokens and codex-icons in node_modules/ and
// assets/hub.css (the Hub's own rules, written with Codex tokens), and writes:
//   static/css/hub.css      left-to-right pages
//   static/css/hub-rtl.css  right-to-left pages (Codex's own flipped component rules)
//   hub/core/codex_icons.json  the SVG paths of the icons the templates name ({% icon "…" %})
// A Codex rule is kept only when every cdx-* class in its selector appears in a template or in
// Python code; a design token only when a kept rule uses it. The output is committed, so
// `make run` needs no npm; `node scripts/build_css.mjs --check` fails when it is out of date.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postcss from "postcss";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const NM = path.join(ROOT, "node_modules", "@wikimedia");
const MODULES = path.join(NM, "codex", "dist", "modules");
const TOKENS = path.join(NM, "codex-design-tokens", "dist", "theme-wikimedia-ui.css");
const ICONS = path.join(NM, "codex-icons", "dist", "codex-icons.json");
const SOURCE = path.join(ROOT, "assets", "hub.css");
const OUT = {
  ltr: path.join(ROOT, "static", "css", "hub.css"),
  rtl: path.join(ROOT, "static", "css", "hub-rtl.css"),
  icons: path.join(ROOT, "hub", "core", "codex_icons.json"),
};

// The Codex components whose CSS-only markup the Hub uses.
const COMPONENTS = [
  "CdxButton",
  "CdxMessage",
  "CdxField",
  "CdxLabel",
  "CdxSelect",
  "CdxTextInput",
  "CdxTabs",
  "CdxTable",
  "CdxCard",
];
// Hub classes that templates used before Codex, styled as the Codex class they stand for, so a
// template written with the old names (as in every app) looks like Codex without renaming.
const ALIASES = {
  card: ["cdx-card"],
  warning: ["cdx-message", "cdx-message--warning"],
  "table-wrap": ["cdx-table__table-wrapper"],
};
const SCANNED = [path.join(ROOT, "templates"), path.join(ROOT, "hub")];

function walk(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (/\.(html|py|txt)$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** Return the cdx-* classes and the icon names the templates and Python code mention. */
function used() {
  const classes = new Set();
  const icons = new Set();
  for (const file of SCANNED.flatMap((d) => walk(d)).sort()) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/\bcdx-[a-z0-9_-]*[a-z0-9]/g)) classes.add(m[0]);
    for (const m of text.matchAll(/\{%\s*icon\s+["'](cdxIcon\w+)["']/g)) icons.add(m[1]);
  }
  return { classes, icons };
}

const classesOf = (selector) => [...selector.matchAll(/\.(cdx-[a-zA-Z0-9_-]+)/g)].map((m) => m[1]);

/** Return the selector with aliased Hub classes in place of the Codex ones, or null. */
function aliasOf(selector, hubClass, cdxClasses, usedClasses) {
  if (!cdxClasses.some((c) => classesOf(selector).includes(c))) return null;
  let out = selector;
  for (const c of cdxClasses) out = out.replace(new RegExp(`\\.${c}(?![a-zA-Z0-9_-])`, "g"), `.${hubClass}`);
  return classesOf(out).every((c) => usedClasses.has(c)) ? out : null;
}

/** Return the Codex component rules the Hub uses, in one direction. */
function componentRules(direction, usedClasses) {
  const root = postcss.root();
  for (const name of COMPONENTS) {
    const file = path.join(MODULES, `${name}${direction === "rtl" ? "-rtl" : ""}.css`);
    const sheet = postcss.parse(fs.readFileSync(file, "utf8"), { from: undefined });
    // Every browser the Hub supports has CSS masks: the fallbacks for those without are dropped.
    sheet.walkAtRules("supports", (at) => {
      if (at.params.startsWith("not")) at.remove();
    });
    sheet.walkRules((rule) => {
      if (rule.parent.type === "atrule" && /keyframes/.test(rule.parent.name)) return;
      const kept = [];
      for (const sel of rule.selectors) {
        // Per-language icon variants and hyphenation rules are for languages the Hub lacks.
        if (sel.includes(":lang(")) continue;
        if (classesOf(sel).every((c) => usedClasses.has(c)) && classesOf(sel).length) kept.push(sel);
        for (const [hubClass, cdxClasses] of Object.entries(ALIASES)) {
          const alias = aliasOf(sel, hubClass, cdxClasses, usedClasses);
          if (alias && !kept.includes(alias)) kept.push(alias);
        }
      }
      if (kept.length) rule.selectors = kept;
      else rule.remove();
    });
    sheet.walkAtRules((at) => {
      if (at.nodes && at.nodes.length === 0) at.remove();
    });
    sheet.walkComments((c) => c.remove());
    root.append(sheet.nodes);
  }
  return root;
}

/** Return the design tokens as a map of name to value. */
function tokens() {
  const map = new Map();
  postcss.parse(fs.readFileSync(TOKENS, "utf8")).walkDecls((d) => {
    if (d.prop.startsWith("--")) map.set(d.prop, d.value.replace(/\(\s+/g, "(").replace(/\s+\)/g, ")"));
  });
  return map;
}

/** Return a :root rule with the tokens the CSS uses (and the tokens those refer to). */
function tokenRule(css, all) {
  const wanted = new Set();
  const pending = [...css.matchAll(/var\(\s*(--[a-z0-9-]+)/g)].map((m) => m[1]);
  while (pending.length) {
    const name = pending.pop();
    if (wanted.has(name) || !all.has(name)) continue;
    wanted.add(name);
    for (const m of all.get(name).matchAll(/var\(\s*(--[a-z0-9-]+)/g)) pending.push(m[1]);
  }
  const decls = [...wanted].sort().map((n) => `${n}:${all.get(n)}`);
  return `:root{${decls.join(";")}}`;
}

/** Strip comments and whitespace from hand-written CSS. */
function minify(root) {
  root.walkComments((c) => c.remove());
  root.walk((node) => {
    node.raws.before = "";
    node.raws.after = "";
    if (node.type === "decl") node.raws.between = ":";
    if (node.type === "rule") {
      node.raws.between = "";
      node.raws.semicolon = false;
      node.selector = node.selectors.join(",");
    }
    if (node.type === "atrule") {
      node.raws.between = "";
      node.raws.afterName = " ";
      node.raws.semicolon = false;
    }
  });
  root.raws.after = "";
  return root.toString().replace(/\s*!important/g, "!important");
}

function version(pkg) {
  return JSON.parse(fs.readFileSync(path.join(NM, pkg, "package.json"), "utf8")).version;
}

/** Return the built files: path to content. */
function build() {
  const { classes, icons } = used();
  const all = tokens();
  const own = minify(postcss.parse(fs.readFileSync(SOURCE, "utf8"), { from: SOURCE }));
  const header =
    `/* Generated by scripts/build_css.mjs from assets/hub.css and Wikimedia Codex ` +
    `${version("codex")} (tokens ${version("codex-design-tokens")}); do not edit: ` +
    "change assets/hub.css and run `make css`. */\n";
  const files = {};
  for (const direction of ["ltr", "rtl"]) {
    const codex = minify(componentRules(direction, classes));
    const body = `${codex}\n${own}\n`;
    files[OUT[direction]] = `${header}${tokenRule(body, all)}\n${body}`;
  }
  const iconSource = JSON.parse(fs.readFileSync(ICONS, "utf8"));
  const chosen = {};
  for (const name of [...icons].sort()) {
    if (!(name in iconSource)) throw new Error(`unknown Codex icon ${name}`);
    chosen[name] = iconSource[name];
  }
  files[OUT.icons] = `${JSON.stringify(chosen, null, 1)}\n`;
  return files;
}

function main() {
  const check = process.argv.includes("--check");
  const stale = [];
  for (const [file, content] of Object.entries(build())) {
    const now = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null;
    if (now === content) continue;
    if (check) stale.push(path.relative(ROOT, file));
    else fs.writeFileSync(file, content);
  }
  if (stale.length) {
    console.error(`Out of date (run \`make css\` and commit): ${stale.join(", ")}`);
    process.exit(1);
  }
}

main();
