// Browser side of the Mermaid check: runs in page.html after render.mjs has added one
// mermaid.min.js. Every block must pass mermaid.parse() AND mermaid.render(): some
// mistakes (a bad gantt date, for one) get through the parser and fail only in the renderer.
"use strict";

const BLOCK_TIMEOUT_MS = 20000;

// What Mermaid writes, without throwing, when it got a value it could not use: geometry
// like x="NaN" or translate(undefined, 0), and "Invalid Date" labels in a gantt.
const GEOMETRY_ATTRIBUTES = [
  "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry",
  "width", "height", "d", "points", "transform", "viewBox",
];
const BAD_NUMBER = /\b(NaN|undefined|Infinity)\b/;

function initMermaid() {
  window.mermaid.initialize({
    startOnLoad: false,
    // Mermaid's default: vaultkit writes no click callbacks, and internal-link (what makes
    // a node open its note in Obsidian) is only a CSS class.
    securityLevel: "strict",
    theme: "default",
    // Without this a failed render leaves a "Syntax error" picture in the page and the
    // next block could pick up its leftovers.
    suppressErrorRendering: true,
    logLevel: "fatal",
  });
}

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out`)), BLOCK_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorText(err) {
  if (err && typeof err.message === "string" && err.message) return err.message;
  if (err && typeof err.str === "string") return err.str;
  return String(err);
}

function texts(doc, selector) {
  return Array.from(doc.querySelectorAll(selector), (el) => el.textContent.trim());
}

function describeSvg(svgText) {
  const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
  const svg = doc.documentElement;
  return {
    root: svg.nodeName,
    role: svg.getAttribute("aria-roledescription") || "",
    nodes: doc.querySelectorAll("g.node").length,
    edges: doc.querySelectorAll("path.flowchart-link, .edgePaths path").length,
    internalLinks: doc.querySelectorAll("g.node.internal-link").length,
    tasks: doc.querySelectorAll("rect.task").length,
    sections: doc.querySelectorAll("text.sectionTitle").length,
    // What a reader sees, in document order.
    nodeLabels: texts(doc, "g.node .label"),
    taskLabels: texts(doc, "text.taskText, text.taskTextOutsideRight, text.taskTextOutsideLeft"),
    sectionLabels: texts(doc, "text.sectionTitle"),
    labels: texts(doc, "text, foreignObject").filter((t) => t),
  };
}

function checkSvg(svgText, facts) {
  if (facts.root !== "svg") return `render produced <${facts.root}>, not <svg>`;
  if (facts.role === "error") return "render produced Mermaid's error picture";
  const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
  for (const el of doc.querySelectorAll("*")) {
    for (const name of GEOMETRY_ATTRIBUTES) {
      const value = el.getAttribute(name);
      if (value !== null && BAD_NUMBER.test(value)) {
        return `rendered SVG has <${el.nodeName} ${name}="${value}">`;
      }
    }
  }
  const invalid = facts.labels.find((label) => /Invalid Date/i.test(label));
  return invalid ? `rendered SVG shows "${invalid}"` : null;
}

async function checkBlock(block, index) {
  const result = { id: block.id, ok: false, stage: "parse", error: null };
  try {
    const parsed = await withTimeout(window.mermaid.parse(block.source), "parse");
    result.diagramType = parsed && parsed.diagramType ? parsed.diagramType : "";
    result.stage = "render";
    const out = await withTimeout(window.mermaid.render(`vk-block-${index}`, block.source), "render");
    result.stage = "check";
    const facts = describeSvg(out.svg);
    Object.assign(result, facts, { svgBytes: out.svg.length });
    result.error = checkSvg(out.svg, facts);
    result.ok = result.error === null;
    result.svg = out.svg;
  } catch (err) {
    result.error = errorText(err);
  }
  return result;
}

window.vaultkitMermaid = {
  async checkAll(blocks) {
    initMermaid();
    const results = [];
    // One at a time: Mermaid keeps per-diagram state in globals.
    for (let i = 0; i < blocks.length; i++) {
      results.push(await checkBlock(blocks[i], i));
    }
    return { results };
  },

  show(svgText) {
    const stage = document.getElementById("stage");
    stage.innerHTML = svgText;
    const svg = stage.querySelector("svg");
    // Mermaid sets max-width and width="100%"; give the picture its natural size.
    const box = svg.viewBox.baseVal;
    svg.removeAttribute("style");
    svg.setAttribute("width", String(Math.ceil(box.width)));
    svg.setAttribute("height", String(Math.ceil(box.height)));
  },
};
