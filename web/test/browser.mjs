// The uploader in a real headless Chromium (Debian's), through the demo page, against a running API:
// ATTACHMENTS_API (its URL) and ATTACHMENTS_KEY (an owner's API key, to mint upload tokens and look at parts).
// The page is served from another origin than the API's, so CORS is exercised as in production.
// Prints one line per scenario; exits non-zero when one fails.
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const api = process.env.ATTACHMENTS_API.replace(/\/+$/, "");
const key = process.env.ATTACHMENTS_KEY;
const MIB = 1024 * 1024;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "attachments-browser-"));

async function call(method, url, body, credential = key) {
  const response = await fetch(api + url, {
    method,
    headers: { Authorization: `Bearer ${credential}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const types = { ".html": "text/html", ".js": "text/javascript" };
const server = http.createServer((request, response) => {
  const file = path.join(root, decodeURIComponent(new URL(request.url, "http://x").pathname));
  if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { "Content-Type": types[path.extname(file)] ?? "application/octet-stream" });
  fs.createReadStream(file).pipe(response);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const page = `http://127.0.0.1:${server.address().port}/demo/index.html`;

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});

async function open(token, extra = "", demo = page) {
  const tab = await browser.newPage();
  tab.on("pageerror", (e) => console.error("page error:", e.message));
  await tab.goto(`${demo}#api=${encodeURIComponent(api)}&token=${token}${extra}`);
  return tab;
}

async function text(tab, id) {
  return tab.$eval(`#${id}`, (e) => e.textContent);
}

async function until(what, check, seconds = 90) {
  const giveUp = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > giveUp) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function choose(tab, file) {
  const input = await tab.$("#file");
  await input.uploadFile(file);
}

async function finished(tab) {
  await until("the verdict", async () => (await text(tab, "done")) === "done" || (await text(tab, "error")));
  const error = await text(tab, "error");
  if (error) throw new Error(`the page says: ${error}`);
  const preview = (await tab.$("#preview-status")) ? await text(tab, "preview-status") : null;
  const reason = (await tab.$("#reason")) ? await text(tab, "reason") : null;
  return { id: await text(tab, "id"), status: await text(tab, "status"), verdict: await text(tab, "verdict"), preview,
    reason };
}

function expect(actual, expected, what, context = "") {
  if (actual !== expected) throw new Error(`${what}: expected ${expected}, got ${actual} ${context}`);
}

function textFile(name, bytes) {
  const line = "the quick brown fox jumps over the lazy dog, again and again and again and again\n";
  const file = path.join(work, name);
  fs.writeFileSync(file, line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes));
  return file;
}

const token = async (uploads = 1) => (await call("POST", "/v1/upload-tokens", { maxUploads: uploads })).token;
const scenarios = {
  async aSmallImageIsReleasedWithItsPreview() {
    const png = path.join(work, "pixel.png");
    fs.writeFileSync(png, Buffer.from(process.env.TEST_PNG_BASE64, "base64"));
    const tab = await open(await token());
    await choose(tab, png);
    const result = await finished(tab);
    expect(result.status, "RELEASED", "status", result.reason);
    expect(result.verdict, "CLEAN", "verdict");
    expect(result.preview, "READY", "preview");
    await until("the thumbnail to load", () => tab.$eval("#preview", (img) => img.complete && img.naturalWidth > 0));
    return result;
  },
  async aMultipartFileGoesInParallelParts() {
    const file = textFile("catalogue.txt", 20 * MIB + 4321);
    const tab = await open(await token());
    await choose(tab, file);
    const result = await finished(tab);
    expect(result.status, "RELEASED", "status");
    const attachment = await call("GET", `/v1/attachments/${result.id}`);
    expect(attachment.sha256, crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex"), "sha256");
    return result;
  },
  async aReloadInTheMiddleResumesFromTheStoredParts() {
    const file = textFile("report.txt", 3 * 8 * MIB + 999);
    const credential = await token();
    const tab = await open(credential, "&parallel=1");
    const cdp = await tab.createCDPSession();
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0,
      downloadThroughput: -1, uploadThroughput: 6 * MIB });
    await choose(tab, file);
    const id = await until("the attachment's id", async () => (await text(tab, "id")) || null);
    await until("a part stored", async () => (await call("GET", `/v1/attachments/${id}/parts`)).parts.length >= 1);
    await tab.reload();
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0,
      downloadThroughput: -1, uploadThroughput: -1 });
    await choose(tab, file);
    const result = await finished(tab);
    expect(result.id, id, "the same attachment");
    expect(result.status, "RELEASED", "status");
    const resumed = await text(tab, "resumed");
    if (!/^resumed: [12] parts were stored$/.test(resumed)) throw new Error(`not resumed: '${resumed}'`);
    return { ...result, resumed };
  },
  async theUppyPluginUploadsThroughUppy() {
    const png = path.join(work, "through-uppy.png");
    fs.writeFileSync(png, Buffer.from(process.env.TEST_PNG_BASE64, "base64"));
    const tab = await open(await token(), "", page.replace("index.html", "uppy.html"));
    await choose(tab, png);
    const result = await finished(tab);
    expect(result.status, "RELEASED", "status");
    expect(result.verdict, "CLEAN", "verdict");
    return result;
  },
  async eicarEndsQuarantined() {
    const file = path.join(work, "notes.txt");
    fs.writeFileSync(file, "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");
    const tab = await open(await token());
    await choose(tab, file);
    const result = await finished(tab);
    expect(result.status, "QUARANTINED", "status");
    expect(result.verdict, "INFECTED", "verdict");
    return result;
  },
};

let failed = 0;
for (const [name, scenario] of Object.entries(scenarios)) {
  try {
    console.log(`PASS ${name} ${JSON.stringify(await scenario())}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message}`);
  }
}
await browser.close();
server.close();
process.exit(failed ? 1 : 0);
