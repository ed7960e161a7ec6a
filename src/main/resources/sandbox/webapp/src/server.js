const http = require('http');
const { handle } = require('./app');
const config = require('./config');

const server = http.createServer(handle);

server.listen(config.port, () => {
  console.log(`webapp listening on http://localhost:${config.port}`);
});
