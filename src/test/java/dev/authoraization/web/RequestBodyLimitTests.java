package dev.authoraization.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.eclipse.jetty.http.HttpException;
import org.junit.jupiter.api.Test;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.mock.http.MockHttpInputMessage;
import org.springframework.util.unit.DataSize;

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
  void theRefusalNamesTheLimitAndTheSetting() {
    var problem = RequestBodyLimit.of(DataSize.ofKilobytes(64)).refusal();

    assertThat(problem.getStatus()).isEqualTo(413);
    assertThat(problem.getDetail()).contains("65536 bytes").contains("engine.server.max-request-body-size");
    assertThat(problem.getProperties()).containsEntry("code", "request_too_large");
  }
}
