// One agent's flow against our gateway's /mcp with the official TypeScript MCP client (issue 33), as user A, and what
// user B's agent can see of it; then the latency of the list_meetings tool against GET /meetings, same run.
//   node flow.mjs <gateway url> <key of A> <key of B>
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [gateway, keyA, keyB] = process.argv.slice(2);
const step = (text) => console.log(`- ${text}`);
const fail = (text) => { console.error(`FAILED: ${text}`); process.exit(1); };

async function connect(key) {
  const client = new Client({ name: "vexa-flow", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway}/mcp`),
    { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
  return client;
}
const call = async (client, name, args = {}) => {
  const result = await client.callTool({ name, arguments: args });
  const text = result.content.filter((c) => c.type === "text").map((c) => c.text).join("");
  let json = null;
  try { json = JSON.parse(text); } catch { /* an error's text */ }
  return { isError: result.isError === true, json, text };
};

const a = await connect(keyA);
const b = await connect(keyB);
const tools = (await a.listTools()).tools;
step(`tools (${tools.length}): ${tools.map((t) => t.name).join(", ")}`);
for (const tool of tools) console.log(`    ${tool.name}: ${tool.description.split(". ")[0]}.`);

const letters = (n) => Array.from({ length: n }, () => "abcdefghijklmnopqrstuvwxyz"[Math.floor(Math.random() * 26)]).join("");
const native = `${letters(3)}-${letters(4)}-${letters(3)}`;
const started = await call(a, "request_meeting_bot", { meeting_url: `https://meet.google.com/${native}` });
if (started.isError) fail(`request_meeting_bot: ${started.text}`);
step(`A requested a bot: meeting ${started.json.id}, status ${started.json.status}`);
await new Promise((r) => setTimeout(r, 3000));
const transcript = await call(a, "get_meeting_transcript", { platform: "google_meet", native_meeting_id: native });
if (transcript.isError) fail(`get_meeting_transcript: ${transcript.text}`);
step(`A read the transcript while the bot runs: status ${transcript.json.status}, ${transcript.json.segments.length} segments`);

const listedB = await call(b, "list_meetings");
if (listedB.json.meetings.some((m) => m.id === started.json.id)) fail("B's list_meetings shows A's meeting");
for (const [tool, args] of [["get_meeting_transcript", { platform: "google_meet", native_meeting_id: native }],
  ["get_meeting_transcript", { meeting_db_id: started.json.id }], ["stop_bot", { platform: "google_meet", native_meeting_id: native }]]) {
  const refused = await call(b, tool, args);
  if (!refused.isError) fail(`B's ${tool} was answered: ${refused.text}`);
  step(`B's ${tool}(${JSON.stringify(args)}): error "${refused.text}"`);
}
const stopped = await call(a, "stop_bot", { platform: "google_meet", native_meeting_id: native });
if (stopped.isError) fail(`stop_bot: ${stopped.text}`);
step(`A stopped the bot: ${stopped.text}`);

// Latency: the tool against the plain API, alternating, 50 each, same key.
const times = { tool: [], api: [] };
for (let i = 0; i < 50; i++) {
  let t = performance.now();
  await call(a, "list_meetings", { limit: 20 });
  times.tool.push(performance.now() - t);
  t = performance.now();
  const response = await fetch(`${gateway}/meetings?limit=20`, { headers: { "X-API-Key": keyA } });
  await response.text();
  times.api.push(performance.now() - t);
}
const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
step(`latency, median of 50: list_meetings tool ${median(times.tool).toFixed(1)} ms, GET /meetings ${median(times.api).toFixed(1)} ms`);
await a.close();
await b.close();
console.log("MCP flow passed");
