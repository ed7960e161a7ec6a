// Configuration of the web application.
module.exports = {
  port: 3000,
  sessionSecret: 'change-me',
};
