// Summarises scripts/bench.sh's measurements (one JSON object a line):
// the median over rounds of each figure, for loginprobe and Playwright, and
// the ratio loginprobe / Playwright. Prints a table; writes the JSON.
//
//   node report.mjs results.jsonl out.json
import fs from 'node:fs';

const [inFile, outFile] = process.argv.slice(2);
const rows = fs.readFileSync(inFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
// The median; of an even count, the mean of the middle two.
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (ns) => ns / 1e6;
const MiB = (b) => b / 2 ** 20;

// Each figure: how to read it from loginprobe's and Playwright's rows.
const value = {
  p50: { loginprobe: (r) => ms(r.own.p50_ns), playwright: (r) => r.p50_ms },
  p95: { loginprobe: (r) => ms(r.own.p95_ns), playwright: (r) => r.p95_ms },
  rpm: { loginprobe: (r) => r.runs_per_minute, playwright: (r) => r.runs_per_minute },
  pss: { loginprobe: (r) => MiB(r.peak_pss_bytes), playwright: (r) => MiB(r.peak_pss_bytes) },
  fail: { loginprobe: (r) => r.failures, playwright: (r) => r.failures },
  cold: { loginprobe: (r) => r.process_ms, playwright: (r) => r.process_ms },
};
const pick = (tool, kind, c, fig) => median(rows.filter((r) => r.tool === tool && r.kind === kind && r.c === c).map(value[fig][tool]));

const figures = [];
const add = (name, unit, kind, c, fig) => {
  const lp = pick('loginprobe', kind, c, fig), pw = pick('playwright', kind, c, fig);
  figures.push({ name, unit, loginprobe: lp, playwright: pw, ratio: lp / pw });
};
const cs = [...new Set(rows.filter((r) => r.kind === 'warm').map((r) => r.c))].sort((a, b) => a - b);
add('warm sign-in p50', 'ms', 'warm', 1, 'p50');
add('warm sign-in p95', 'ms', 'warm', 1, 'p95');
add('cold process (start, sign in once, exit)', 'ms', 'cold', 1, 'cold');
for (const c of cs) add(`throughput C=${c}`, 'runs/min', 'warm', c, 'rpm');
for (const c of cs) add(`peak PSS C=${c}`, 'MiB', 'warm', c, 'pss');
for (const c of cs) add(`failures C=${c}`, 'runs', 'warm', c, 'fail');
if (cs.length > 1) {
  const lo = cs[0], hi = cs[cs.length - 1];
  const growth = (tool) => (pick(tool, 'warm', hi, 'pss') - pick(tool, 'warm', lo, 'pss')) / (hi - lo);
  figures.push({ name: `PSS per flow added (C=${lo}→${hi})`, unit: 'MiB', loginprobe: growth('loginprobe'), playwright: growth('playwright'),
    ratio: growth('loginprobe') / growth('playwright') });
}

const rounds = Math.max(...rows.map((r) => r.round));
console.log(`median of ${rounds} round(s); ratio = loginprobe / Playwright (below 1: loginprobe is faster or smaller, except throughput)`);
console.log(`${'figure'.padEnd(44)} ${'loginprobe'.padStart(12)} ${'playwright'.padStart(12)} ${'ratio'.padStart(7)}`);
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(x >= 100 ? 0 : 1) : '-');
for (const f of figures) {
  console.log(`${(f.name + ' (' + f.unit + ')').padEnd(44)} ${f1(f.loginprobe).padStart(12)} ${f1(f.playwright).padStart(12)} ${(Number.isFinite(f.ratio) ? f.ratio.toFixed(2) : '-').padStart(7)}`);
}
// Each round's ratios: how far apart the rounds are says how much the load swung.
const perRound = [];
for (let r = 1; r <= rounds; r++) {
  const one = (tool, kind, c, fig) => median(rows.filter((x) => x.round === r && x.tool === tool && x.kind === kind && x.c === c).map(value[fig][tool]));
  const ratio = (kind, c, fig) => one('loginprobe', kind, c, fig) / one('playwright', kind, c, fig);
  perRound.push({ round: r, warm_p50: ratio('warm', 1, 'p50'), cold: ratio('cold', 1, 'cold'),
    ...Object.fromEntries(cs.map((c) => [`rpm_c${c}`, ratio('warm', c, 'rpm')])) });
}
console.log('ratios per round (the spread shows the machine\'s load swings):');
for (const p of perRound) {
  console.log(`  round ${p.round}: ` + Object.entries(p).filter(([k]) => k !== 'round').map(([k, v]) => `${k} ${Number.isFinite(v) ? v.toFixed(2) : '-'}`).join('  '));
}
const lpSteps = rows.filter((r) => r.tool === 'loginprobe' && r.kind === 'warm' && r.c === 1).map((r) => r.steps).filter(Boolean);
if (lpSteps.length) {
  console.log('loginprobe warm sign-in, where the time goes (p50 per step, first round):');
  for (const s of lpSteps[0]) console.log(`  ${s.name.padEnd(42)} ${ms(s.p50_ns).toFixed(0).padStart(6)} ms`);
}
fs.writeFileSync(outFile, JSON.stringify({ load_note: 'shared 2-core machine: absolute times swing; compare ratios', figures, per_round: perRound, measurements: rows }, null, 2) + '\n');
console.log(`written to ${outFile}`);
