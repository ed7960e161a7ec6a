package dev.authoraization.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpException;
import org.junit.jupiter.api.Test;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.mock.http.MockHttpInputMessage;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

class RequestBodyLimitTests {

  @Test
  void aLimitUnder1KbIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> RequestBodyLimit.of(DataSize.ofBytes(100)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("engine.server.max-request-body-size").hasMessageContaining("100 bytes");
    assertThat(RequestBodyLimit.of(DataSize.ofMegabytes(2)).bytes()).isEqualTo(2 * 1024 * 1024);
  }

  @Test
  void jettysRefusalIsFoundUnderTheReadersWrapping() {
    var overLimit = new HttpMessageNotReadableException("Failed to read",
        new IOException(new HttpException.RuntimeException(413, "Request body is too large: 1049600>1048576")),
        new MockHttpInputMessage(new byte[0]));
    var badRequest = new HttpMessageNotReadableException("Failed to read",
        new IOException(new HttpException.RuntimeException(400, "bad chunk")), new MockHttpInputMessage(new byte[0]));

    assertThat(RequestBodyLimit.refused(overLimit)).isTrue();
    assertThat(RequestBodyLimit.refused(badRequest)).isFalse();
    assertThat(RequestBodyLimit.refused(new IOException("reset"))).isFalse();
  }

  @Test
  void readWholeFirstHandsTheServletTheSameBodyFromMemory() throws Exception {
    var request = new MockHttpServletRequest("POST", "/mcp");
    request.setContentType("application/json;charset=UTF-8");
    request.setContent("{\"name\":\"caf\u00e9\"}".getBytes(StandardCharsets.UTF_8));
    var seen = new AtomicReference<String>();

    RequestBodyLimit.of(DataSize.ofKilobytes(64)).readWholeFirst(JsonMapper.builder().build()).doFilter(request,
        new MockHttpServletResponse(), (req, res) -> seen.set(req.getReader().readLine()));

    assertThat(seen.get()).isEqualTo("{\"name\":\"caf\u00e9\"}");
  }

  @Test
  void readWholeFirstRefusesAnEncodingTheJvmDoesNotKnowAsTheContainerWould() throws Exception {
    var request = new MockHttpServletRequest("POST", "/mcp");
    request.setContentType("application/json;charset=x-no-such-charset");
    request.setContent("{}".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> RequestBodyLimit.of(DataSize.ofKilobytes(64)).readWholeFirst(JsonMapper.builder().build())
        .doFilter(request, new MockHttpServletResponse(), (req, res) -> req.getReader()))
        .isInstanceOf(UnsupportedEncodingException.class);
  }

  @Test
  void readWholeFirstAnswers413ItselfWhenJettyRefusesTheBodyAndTheServletNeverRuns() throws Exception {
    var request = new MockHttpServletRequest("POST", "/mcp") {
      @Override
      public ServletInputStream getInputStream() {
        throw new HttpException.RuntimeException(413, "Request body is too large: 70000>65536");
      }
    };
    request.setContent(new byte[10]);
    request.addHeader("Transfer-Encoding", "chunked");
    var response = new MockHttpServletResponse();
    var reached = new AtomicReference<Boolean>(false);

    RequestBodyLimit.of(DataSize.ofKilobytes(64)).readWholeFirst(JsonMapper.builder().build())
        .doFilter(request, response, (req, res) -> reached.set(true));

    assertThat(reached.get()).isFalse();
    assertThat(response.getStatus()).isEqualTo(413);
    assertThat(response.getContentType()).isEqualTo("application/problem+json");
    assertThat(response.getContentAsString()).contains("request_too_large");
  }

  @Test
  void theRefusalNamesTheLimitAndTheSetting() {
    var problem = RequestBodyLimit.of(DataSize.ofKilobytes(64)).refusal();

    assertThat(problem.getStatus()).isEqualTo(413);
    assertThat(problem.getDetail()).contains("65536 bytes").contains("engine.server.max-request-body-size");
    assertThat(problem.getProperties()).containsEntry("code", "request_too_large");
  }
}
