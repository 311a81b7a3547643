// The baseline of bench/upload.sh: the official Node tus server with its file store, as its
// README shows it (no fsync: the file store writes through a stream and answers when the
// stream has flushed to the kernel). Listens on 127.0.0.1:PORT, stores in DIR.
//   node server.mjs PORT DIR
import http from 'node:http';
import { Server } from '@tus/server';
import { FileStore } from '@tus/file-store';

const [port, dir] = process.argv.slice(2);
const tus = new Server({ path: '/files', datastore: new FileStore({ directory: dir }) });
http.createServer((req, res) => tus.handle(req, res)).listen(Number(port), '127.0.0.1', () => {
  console.log(`tus-node listening on http://127.0.0.1:${port}`);
});
