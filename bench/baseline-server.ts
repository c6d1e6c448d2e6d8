/**
 * Baselines for the GET benchmark: the same response bytes served by a bare node:https server, or
 * by a plain Express 5 route over HTTPS. Run as a child: node baseline-server.js bare|express CERT KEY BODYFILE
 * It prints its port on stdout.
 */
import express from 'express';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

const [mode, certFile, keyFile, bodyFile] = process.argv.slice(2);
const body = readFileSync(bodyFile);
const tls = { cert: readFileSync(certFile), key: readFileSync(keyFile) };

const server =
  mode === 'express'
    ? https.createServer(tls, (() => {
        const app = express();
        app.disable('x-powered-by');
        app.disable('etag');
        app.get('/{*rest}', (_req, res) => {
          res.setHeader('Content-Type', 'application/json; charset=utf-8');
          res.end(body);
        });
        return app;
      })())
    : https.createServer(tls, (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
        res.end(body);
      });

server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
