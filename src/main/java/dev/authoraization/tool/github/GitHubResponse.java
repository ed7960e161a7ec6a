package dev.authoraization.tool.github;

import java.net.http.HttpHeaders;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** One successful (2xx) answer from GitHub: its status, headers and JSON body (missing node when empty). */
public record GitHubResponse(int status, HttpHeaders headers, JsonNode body) {

  /** The {@code rel="next"} target of the RFC 8288 {@code Link} header, as GitHub paginates. */
  public Optional<String> nextLink() {
    return headers.firstValue("link").flatMap(GitHubResponse::next);
  }

  static Optional<String> next(String link) {
    for (String part : link.split(",")) {
      String[] pieces = part.split(";");
      String target = pieces[0].trim();
      if (!target.startsWith("<") || !target.endsWith(">")) {
        continue;
      }
      for (int i = 1; i < pieces.length; i++) {
        String param = pieces[i].trim().replace(" ", "");
        if (param.equals("rel=\"next\"") || param.equals("rel=next")) {
          return Optional.of(target.substring(1, target.length() - 1));
        }
      }
    }
    return Optional.empty();
  }
}
