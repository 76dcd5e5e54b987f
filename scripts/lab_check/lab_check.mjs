// Drives `make lab` in headless Chromium as a researcher would: the lab opens on notebooks/, each
// theme's .py opens as a notebook with the project's kernel, autoreload is on, Run All shows tables,
// figures and the synthetic-data notice with no error, saving writes the pair and keeps the .py
// py:percent, an edit reaches the .py, and reopening restores the outputs. Screenshots of every
// notebook after Run All go to LAB_SHOTS. Exit status 1 when a check fails. See README.md.
import { chromium } from 'playwright-core';
import { existsSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = process.env;
const port = env.LAB_PORT ?? '18931';
const token = env.LAB_TOKEN ?? 'labcheck';
const project = env.LAB_PROJECT ?? '/tmp/labproject';
const shots = env.LAB_SHOTS ?? join(project, 'build', 'lab_check');
const themes = (env.LAB_THEMES ?? 'overview').split(',');
const CELLS = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell';
const base = `http://127.0.0.1:${port}`;
mkdirSync(shots, { recursive: true });

const problems = [];
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) problems.push(what);
}

const browser = await chromium.launch({
  executablePath: env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
page.on('pageerror', (error) => console.log(`page error: ${error.message}`));

// The URL `make lab` prints is the server root, which redirects to LabApp.default_url.
await page.goto(`${base}/?token=${token}`);
await page.waitForURL(/\/lab\//, { timeout: 60000 });
check(page.url().endsWith('/lab/tree/notebooks'), `lab opens on notebooks/ (${page.url()})`);
// A kernel left running for a notebook is reused when it opens; start each check from none.
const sessions = await (await fetch(`${base}/api/sessions?token=${token}`)).json();
for (const session of sessions) {
  await fetch(`${base}/api/sessions/${session.id}?token=${token}`, { method: 'DELETE' });
}
// Start from an empty workspace, so tabs a previous session left open do not interfere.
await page.goto(`${base}/lab/tree/notebooks?reset`);
await page.waitForSelector('.jp-DirListing-item', { timeout: 60000 });
const crumbs = (await page.locator('.jp-BreadCrumbs').innerText()).replace(/\s+/g, '');
check(crumbs === '/notebooks/', `file browser shows notebooks/ (${crumbs})`);

async function cellCount() {
  return page.locator(CELLS).count();
}

async function waitIdle(timeout = 300000) {
  // Run All is done when no cell shows the busy prompt [*] and the kernel is idle.
  await page.waitForFunction(() => {
    const panel = [...document.querySelectorAll('.jp-NotebookPanel')].find((p) => p.offsetParent);
    if (!panel) return false;
    const busy = [...panel.querySelectorAll('.jp-InputPrompt')].some((p) => p.textContent.includes('*'));
    const status = document.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status');
    return !busy && status === 'idle';
  }, null, { timeout, polling: 500 });
}

async function runMenu(menu, item) {
  await page.locator('.lm-MenuBar-itemLabel', { hasText: new RegExp(`^${menu}$`) }).click();
  await page.locator('.lm-Menu-itemLabel', { hasText: new RegExp(`^${item}$`) }).first().click();
}

async function openNotebook(name) {
  await page.locator('.jp-DirListing-item', { hasText: new RegExp(`^${name}`) }).dblclick();
  await page.waitForSelector(`.jp-NotebookPanel:visible, .jp-FileEditor:visible`, { timeout: 60000 });
  // A notebook without a kernelspec asks which kernel to start: a researcher would have to answer.
  const dialog = page.locator('.jp-Dialog', { hasText: 'Select Kernel' });
  const asked = await dialog.waitFor({ timeout: 8000 }).then(() => true, () => false);
  check(!asked, `${name}: opens without asking which kernel to start`);
  if (asked) await dialog.locator('button', { hasText: 'Select' }).click();
  check(await page.locator('.jp-NotebookPanel:visible').count() === 1,
    `${name}: opens as a notebook (not in the text editor)`);
  await page.waitForFunction(() => {
    const status = document.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status');
    return status === 'idle';
  }, null, { timeout: 60000 });
  const kernel = await page.locator('.jp-NotebookPanel:visible .jp-Toolbar-kernelName').innerText();
  console.log(`     kernel: ${kernel}`);
}

// Adds a cell at the end, runs it, returns its text output and deletes it again.
async function runScratchCell(code) {
  const before = await cellCount();
  await page.locator(CELLS).last().click();
  await page.keyboard.press('Escape');
  await page.keyboard.press('b');
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length > n, [CELLS, before]);
  const cell = page.locator(CELLS).last();
  await cell.locator('.cm-content').click();
  await page.keyboard.insertText(code);
  await page.keyboard.press('Control+Enter'); // run in place (Shift+Enter would add a cell)
  await waitIdle(60000);
  const text = await cell.locator('.jp-OutputArea').innerText();
  await cell.locator('.jp-InputArea').click();
  await page.keyboard.press('Escape');
  await page.keyboard.press('d');
  await page.keyboard.press('d');
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length === n, [CELLS, before]);
  return text.trim();
}

async function screenshots(name) {
  // Scroll the notebook a viewport at a time; JupyterLab may skip rendering cells out of view.
  const scroller = page.locator('.jp-NotebookPanel:visible .jp-WindowedPanel-outer');
  const height = await scroller.evaluate((el) => el.scrollHeight);
  const view = await scroller.evaluate((el) => el.clientHeight);
  const files = [];
  for (let top = 0, i = 1; top < height; top += view, i += 1) {
    await scroller.evaluate((el, y) => { el.scrollTop = y; }, top);
    await page.waitForTimeout(400);
    const file = join(shots, `${name}-${String(i).padStart(2, '0')}.png`);
    await page.screenshot({ path: file });
    files.push(file);
  }
  await scroller.evaluate((el) => { el.scrollTop = 0; });
  console.log(`     screenshots: ${files.length} in ${shots}`);
}

async function checkTheme(name) {
  const py = join(project, 'notebooks', `${name}.py`);
  const ipynb = join(project, 'notebooks', `${name}.ipynb`);
  const original = readFileSync(py, 'utf8');
  await openNotebook(`${name}.py`);
  check(await cellCount() > 3, `${name}: notebook shows ${await cellCount()} cells`);

  const probe = await runScratchCell(
    'import sys, innobarometer; r = get_ipython().magics_manager.registry["AutoreloadMagics"]._reloader\n' +
    'print(sys.executable, innobarometer.__file__, sorted(get_ipython().extension_manager.loaded), r.enabled, r.check_all)');
  console.log(`     kernel probe: ${probe}`);
  check(probe.includes('.autoreload') && probe.endsWith('True True'),
    `${name}: autoreload loaded and in mode 2 (${probe.split(' ').slice(-2).join(' ')})`);
  check(probe.split(' ')[0] === env.LAB_PYTHON || !env.LAB_PYTHON, `${name}: kernel runs ${env.LAB_PYTHON ?? 'the lab python'}`);

  // Autoreload in practice: a module the kernel imported changes on disk, the next cell sees it.
  const module = join(project, 'build', 'lab_check_probe.py');
  writeFileSync(module, 'VALUE = "before"\n');
  const first = await runScratchCell(`import sys; sys.path.insert(0, ${JSON.stringify(join(project, 'build'))})\nimport lab_check_probe; print(lab_check_probe.VALUE)`);
  writeFileSync(module, 'VALUE = "after"\n');
  await page.waitForTimeout(1100); // autoreload compares modification times (1 s resolution)
  const second = await runScratchCell('print(lab_check_probe.VALUE)');
  check(first === 'before' && second === 'after', `${name}: an edited module reloads at the next cell (${first} -> ${second})`);

  await page.locator(CELLS).first().click();
  const started = Date.now();
  await runMenu('Run', 'Run All Cells');
  await page.waitForTimeout(1000);
  await waitIdle();
  console.log(`     Run All took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const panel = page.locator('.jp-NotebookPanel:visible');
  const prompts = await panel.locator('.jp-CodeCell .jp-InputPrompt').allTextContents();
  const unrun = prompts.filter((p) => !/\[\d+\]/.test(p));
  check(unrun.length === 0, `${name}: every code cell ran (${prompts.length} code cells, ${unrun.length} not run)`);
  const mimes = await panel.locator('.jp-OutputArea-output').evaluateAll(
    (nodes) => nodes.map((n) => n.getAttribute('data-mime-type')));
  const counts = mimes.reduce((c, m) => ({ ...c, [m]: (c[m] ?? 0) + 1 }), {});
  console.log(`     outputs by type: ${JSON.stringify(counts)}`);
  const errors = await panel.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').allInnerTexts();
  check(errors.length === 0, `${name}: no error or stderr output${errors.length ? ': ' + errors.join('\n').slice(0, 2000) : ''}`);
  const tables = await panel.locator('.jp-OutputArea-output table').count();
  const figures = await panel.locator('.jp-OutputArea-output img').count();
  const body = await panel.locator('.jp-Notebook').innerText();
  check(tables > 0, `${name}: shows ${tables} tables`);
  check(figures > 0, `${name}: shows ${figures} figures`);
  check(/synthetic/i.test(body), `${name}: shows the synthetic-data notice`);
  const images = await panel.locator('.jp-OutputArea-output img').evaluateAll(
    (nodes) => nodes.filter((n) => !(n.complete && n.naturalWidth > 0)).length);
  check(images === 0, `${name}: every figure loaded (${images} broken)`);
  await screenshots(name);

  // Save: jupytext writes the paired .ipynb (with outputs) and the .py (text only).
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+s');
  await page.waitForFunction(() => !document.querySelector('.jp-mod-current.jp-mod-dirty'), null, { timeout: 30000 });
  await page.waitForTimeout(1000);
  check(existsSync(ipynb), `${name}: saving wrote ${name}.ipynb`);
  if (existsSync(ipynb)) {
    const notebook = JSON.parse(readFileSync(ipynb, 'utf8'));
    const outputs = notebook.cells.reduce((n, c) => n + (c.outputs?.length ?? 0), 0);
    check(outputs > 0, `${name}: the .ipynb holds the outputs (${outputs})`);
    console.log(`     .ipynb kernelspec: ${JSON.stringify(notebook.metadata.kernelspec)}`);
  }
  const saved = readFileSync(py, 'utf8');
  check(saved.includes('# %% tags=["parameters"]'), `${name}: the .py keeps the parameters cell tag`);
  check(saved.startsWith('# %%') && !saved.startsWith('# ---'), `${name}: the .py stays py:percent with no metadata header`);
  check(saved === original, `${name}: saving without edits leaves the .py byte-identical`);
  if (saved !== original) writeFileSync(join(shots, `${name}.saved.py`), saved);

  // An edit saved in the lab reaches the .py, and only where the researcher typed.
  const mark = '# edited in the lab check';
  await page.locator(CELLS).last().locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.insertText(mark);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+s');
  await page.waitForFunction(() => !document.querySelector('.jp-mod-current.jp-mod-dirty'), null, { timeout: 30000 });
  await page.waitForTimeout(1000);
  const edited = readFileSync(py, 'utf8');
  check(edited === `${original.trimEnd()}\n${mark}\n`, `${name}: an edit saved in the lab changes the .py only there`);

  // Reopening reads the pair: the outputs come back from the .ipynb, with no mismatch error.
  await runMenu('File', 'Close Tab');
  await page.waitForTimeout(1000);
  await openNotebook(`${name}.py`);
  const reopened = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)');
  check(await reopened.locator('.jp-OutputArea-output img').count() === figures,
    `${name}: reopened, the notebook shows its ${figures} figures from the .ipynb`);
  check(await page.locator('.jp-Dialog').count() === 0, `${name}: reopened with no dialog`);
  await runMenu('File', 'Close Tab');
  await page.waitForTimeout(500);
  writeFileSync(py, original); // leave the scratch project as it was
}

try {
  for (const name of themes) await checkTheme(name);
} finally {
  await browser.close();
}
console.log(problems.length ? `${problems.length} problem(s):\n- ${problems.join('\n- ')}` : 'all checks passed');
process.exit(problems.length ? 1 : 0);
