const { login } = require('./auth');

function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/login') {
    return login(req, res, url);
  }
  if (url.pathname === '/') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    return res.end('Hello from webapp\n');
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('Not foud\n');
}

module.exports = { handle };
