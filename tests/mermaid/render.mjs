// Renders Mermaid blocks with every Mermaid release pinned in package.json, in headless
// Chromium (Debian's /usr/bin/chromium, driven by playwright-core: it never downloads a
// browser of its own).
//
//   node render.mjs REQUEST.json RESULT.json
//
// REQUEST: {"chromium": "/usr/bin/chromium",
//           "blocks": [{"id": "Hub.md:12", "source": "flowchart LR\n..."}],
//           "screenshots": [{"id": "Hub.md:12", "path": "/abs/graph.png"}]}   (optional)
// RESULT:  {"runs": [{"package": "mermaid", "version": "11.13.0",
//            "results": [{"id", "ok", "stage", "error", "diagramType", "nodes", ...}]}],
//           "screenshots": ["/abs/graph.png"]}
// Screenshots use the package named "mermaid" (the release a current Obsidian ships).
// Exit 0 when it could run the check (whatever the blocks' results), 2 when it could not.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PRIMARY = "mermaid";

// The closed network refuses Chromium's own background connections; without these flags
// it keeps retrying them. --no-sandbox because CI runs as root.
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

async function mermaidPackages() {
  const manifest = JSON.parse(await readFile(path.join(HERE, "package.json"), "utf8"));
  const found = [];
  for (const name of Object.keys(manifest.dependencies)) {
    const dir = path.join(HERE, "node_modules", name);
    const installed = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));
    if (installed.name === "mermaid") {
      found.push({ name, version: installed.version, script: path.join(dir, "dist", "mermaid.min.js") });
    }
  }
  // The primary package first, so its run is the one that takes the screenshots.
  return found.sort((a, b) => (a.name === PRIMARY ? -1 : b.name === PRIMARY ? 1 : 0));
}

async function openPage(browser, pkg) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 }, deviceScaleFactor: 2 });
  const pageErrors = [];
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  await page.goto(pathToFileURL(path.join(HERE, "page.html")).href);
  await page.addScriptTag({ path: pkg.script });
  return { page, pageErrors };
}

async function screenshot(page, results, shot) {
  const result = results.find((r) => r.id === shot.id);
  if (!result || !result.ok) {
    throw new Error(`cannot screenshot ${shot.id}: ${result ? result.error : "no such block"}`);
  }
  await page.evaluate((svg) => window.vaultkitMermaid.show(svg), result.svg);
  await page.locator("#stage").screenshot({ path: shot.path });
  return shot.path;
}

async function runPackage(browser, pkg, request) {
  const { page, pageErrors } = await openPage(browser, pkg);
  try {
    const { results } = await page.evaluate(
      (blocks) => window.vaultkitMermaid.checkAll(blocks),
      request.blocks,
    );
    const shots = [];
    if (pkg.name === PRIMARY) {
      for (const shot of request.screenshots || []) shots.push(await screenshot(page, results, shot));
    }
    for (const r of results) delete r.svg;
    return { run: { package: pkg.name, version: pkg.version, pageErrors, results }, shots };
  } finally {
    await page.close();
  }
}

async function main() {
  const [requestPath, resultPath] = process.argv.slice(2);
  if (!requestPath || !resultPath) throw new Error("usage: node render.mjs REQUEST.json RESULT.json");
  const request = JSON.parse(await readFile(requestPath, "utf8"));
  const packages = await mermaidPackages();
  const browser = await chromium.launch({
    executablePath: request.chromium || "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    timeout: 60000,
  });
  const output = { runs: [], screenshots: [] };
  try {
    for (const pkg of packages) {
      const { run, shots } = await runPackage(browser, pkg, request);
      output.runs.push(run);
      output.screenshots.push(...shots);
    }
  } finally {
    await browser.close();
  }
  await writeFile(resultPath, JSON.stringify(output, null, 2));
}

main().catch((err) => {
  console.error(`render.mjs: ${err && err.stack ? err.stack : err}`);
  process.exit(2);
});
