package dev.authoraization.web.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ApproverQrTests {

  /** Reads a PNG as a camera app would: pixels to luminance, binarized, then ZXing's QR reader. */
  static String decode(byte[] png) throws Exception {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image).as("a PNG ImageIO can read").isNotNull();
    int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(
        new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels)));
    return new QRCodeReader().decode(bitmap).getText();
  }

  @Test
  void theQrCodeDecodesBackToExactlyTheLink() throws Exception {
    String link = "https://engine.example.com:8443/approvals/3f1c9e2a-5b7d-4e6f-8a9b-0c1d2e3f4a5b";

    byte[] png = ApproverQr.png(link);

    assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    assertThat(decode(png)).isEqualTo(link);
  }

  @Test
  void theImageHasTheSizeThePageDeclaresAndAQuietZone() throws Exception {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(ApproverQr.png("http://localhost:8080/approvals/x")));

    assertThat(image.getWidth()).isEqualTo(ApproverQr.SIZE);
    assertThat(image.getHeight()).isEqualTo(ApproverQr.SIZE);
    assertThat(image.getRGB(0, 0) & 0xFFFFFF).as("white corner").isEqualTo(0xFFFFFF);
    assertThat(image.getRGB(ApproverQr.SIZE / 2, 12) & 0xFFFFFF).as("quiet zone above the code").isEqualTo(0xFFFFFF);
  }

  @Test
  void emptyOrOversizedTextIsRefused() {
    assertThatThrownBy(() -> ApproverQr.png("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ApproverQr.png("x".repeat(513))).isInstanceOf(IllegalArgumentException.class);
  }
}
