function login(req, res, url) {
  const next = url.searchParams.get('next');
  // After sign-in, send the user back where they came from.
  res.writeHead(302, { Location: '/' + next });
  res.end();
}

module.exports = { login };
