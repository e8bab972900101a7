// The Playwright side of scripts/bench.sh: the same sign-in as loginprobe's
// sign-in flow (identifier, password, Device Trust's email code, then
// Clerk.user and a session token), in a new browser context per run, on the
// same Chromium binary with the same closed-network flags.
//
//   node signin.mjs warm N C   one browser, one warm-up run, then N runs C at a time
//   node signin.mjs cold       launch the browser, sign in once, exit
//
// Settings come from the environment: PLAYWRIGHT_CORE (the unpacked
// playwright-core), CHROMIUM, SIGNIN_URL, IDENTIFIER, PASSWORD, CODE. It
// prints one JSON object.
import fs from 'node:fs';
import path from 'node:path';

const env = (k) => { const v = process.env[k]; if (!v) { console.error(`signin.mjs: ${k} is not set`); process.exit(2); } return v; };
const { chromium } = await import(path.join(env('PLAYWRIGHT_CORE'), 'index.mjs'));
const url = env('SIGNIN_URL'), identifier = env('IDENTIFIER'), password = env('PASSWORD'), code = env('CODE');

// The flags loginprobe starts Chromium with that close it off from the
// network and drop a monitor's unneeded work (internal/browser chromeFlags).
const args = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-quic', '--disable-component-update', '--disable-sync', '--disable-extensions', '--mute-audio',
  '--disable-blink-features=AutomationControlled', '--window-size=1280,900'];

const sel = {
  identifier: '.cl-signIn-start input[name=identifier]',
  password: '.cl-signIn-password input[name=password]',
  primary: '.cl-formButtonPrimary',
  otp: 'input[autocomplete="one-time-code"]',
};

async function signIn(browser) {
  const start = performance.now();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(20000);
    await page.goto(url);
    await page.locator(sel.identifier).fill(identifier);
    await page.locator(sel.primary).first().click();
    await page.locator(sel.password).fill(password);
    await page.locator('.cl-signIn-password ' + sel.primary).click();
    await page.locator(sel.otp).fill(code);
    await page.waitForFunction((id) => window.Clerk?.user?.primaryEmailAddress?.emailAddress?.toLowerCase() === id.toLowerCase(), identifier);
    const token = await page.evaluate(() => window.Clerk.session.getToken());
    if (!token || token.split('.').length !== 3) throw new Error('no session token');
  } finally {
    await context.close();
  }
  return performance.now() - start;
}

// PSS of this process and its descendants, from /proc/*/smaps_rollup.
function treePSS() {
  const kids = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      if (f[0] === 'Z') continue;
      const pp = Number(f[1]);
      if (!kids.has(pp)) kids.set(pp, []);
      kids.get(pp).push(Number(d));
    } catch {}
  }
  let total = 0;
  const queue = [process.pid];
  while (queue.length) {
    const pid = queue.shift();
    try {
      const m = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
      if (m) total += Number(m[1]) * 1024;
    } catch {}
    queue.push(...(kids.get(pid) || []));
  }
  return total;
}

function pct(sorted, p) { return sorted.length ? sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p / 100 * sorted.length))) - 1] : 0; }

const launch = () => chromium.launch({ executablePath: env('CHROMIUM'), headless: true, args, ignoreDefaultArgs: ['--enable-automation'] });

const mode = process.argv[2];
if (mode === 'cold') {
  const browser = await launch();
  const ms = await signIn(browser);
  await browser.close();
  console.log(JSON.stringify({ mode, flow_ms: ms }));
} else if (mode === 'warm') {
  const n = Number(process.argv[3] || 20), c = Number(process.argv[4] || 1);
  const browser = await launch();
  let peak = 0;
  const sampler = setInterval(() => { peak = Math.max(peak, treePSS()); }, 100);
  const warmUp = await signIn(browser);
  const times = [];
  let failures = 0, next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: c }, async () => {
    while (next < n) {
      next++;
      try { times.push(await signIn(browser)); } catch (e) { failures++; console.error('run failed:', e.message.split('\n')[0]); }
    }
  }));
  const elapsed = performance.now() - start;
  peak = Math.max(peak, treePSS());
  clearInterval(sampler);
  await browser.close();
  const s = [...times].sort((a, b) => a - b);
  console.log(JSON.stringify({ mode, n, c, warm_up_ms: warmUp, p50_ms: pct(s, 50), p95_ms: pct(s, 95), max_ms: s[s.length - 1] || 0,
    runs_per_minute: n / (elapsed / 60000), failures, peak_pss_bytes: peak }));
} else {
  console.error('usage: node signin.mjs warm N C | cold');
  process.exit(2);
}
