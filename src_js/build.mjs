// Bundle each view into ../build/views/<name>: main.js, main.css and the
// static files of its folder.

import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';

const srcDir = path.dirname(url.fileURLToPath(import.meta.url));
const buildDir = path.resolve(srcDir, '..', 'build', 'views');
const views = ['login', 'main'];
const staticFiles = ['index.html'];

for (const view of views) {
    const viewDir = path.join(srcDir, 'views', view);
    const outDir = path.join(buildDir, view);

    fs.rmSync(outDir, {recursive: true, force: true});
    fs.mkdirSync(outDir, {recursive: true});

    await esbuild.build({
        entryPoints: [path.join(viewDir, 'main.ts')],
        outfile: path.join(outDir, 'main.js'),
        bundle: true,
        format: 'esm',
        target: 'es2022',
        minify: true,
        sourcemap: true,
        logLevel: 'warning'
    });

    for (const name of staticFiles)
        fs.copyFileSync(path.join(viewDir, name), path.join(outDir, name));

    console.log(`built ${path.relative(process.cwd(), outDir)}`);
}
