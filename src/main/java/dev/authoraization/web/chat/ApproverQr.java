package dev.authoraization.web.chat;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A QR code as a black-on-white PNG, encoded with ZXing and written with the JDK's ImageIO: no
 * script, no request to anyone else. Used for the approver page link only, which is no secret
 * (the page asks the approver to sign in and confirm with a passkey).
 */
final class ApproverQr {

  /** Pixels per side; ZXing scales the modules by a whole number and centres them. */
  static final int SIZE = 240;
  private static final int MAX_TEXT = 512;

  private ApproverQr() {}

  static byte[] png(String text) {
    if (text.isEmpty() || text.length() > MAX_TEXT) {
      throw new IllegalArgumentException("a QR code here carries 1 to " + MAX_TEXT + " characters");
    }
    BitMatrix matrix;
    try {
      // Medium error correction survives a phone camera at an angle; 4 modules of quiet zone as
      // ISO/IEC 18004 asks for.
      matrix = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, SIZE, SIZE, Map.of(
          EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M,
          EncodeHintType.CHARACTER_SET, StandardCharsets.UTF_8.name(),
          EncodeHintType.MARGIN, 4));
    } catch (WriterException e) {
      throw new IllegalArgumentException("the text does not fit in a QR code", e);
    }
    BufferedImage image = new BufferedImage(matrix.getWidth(), matrix.getHeight(), BufferedImage.TYPE_BYTE_BINARY);
    for (int y = 0; y < matrix.getHeight(); y++) {
      for (int x = 0; x < matrix.getWidth(); x++) {
        image.setRGB(x, y, matrix.get(x, y) ? 0xFF000000 : 0xFFFFFFFF);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the QR code as PNG", e);
    }
    return out.toByteArray();
  }
}
