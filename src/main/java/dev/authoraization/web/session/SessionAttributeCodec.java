package dev.authoraization.web.session;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.convert.converter.Converter;
import org.springframework.core.serializer.support.SerializingConverter;
import org.springframework.util.ClassUtils;

/**
 * Session attributes to and from the bytes of {@code spring_session_attributes}: Java
 * serialization, as Spring Session does by default, but read back through an allowlist of
 * classes ({@link #FILTER}) and limits on depth, references, array length and size. Bytes that
 * name a class outside the list, or that no longer match this build's classes, are not an error
 * page: the attribute reads as absent (the user is signed out and signs in again) and a warning
 * names the class, never the content. Why not JSON: docs/adr/0016-sessions-in-the-database.md.
 */
final class SessionAttributeCodec {

  /**
   * What the engine's sessions hold, and nothing else: Spring Security's contexts, tokens, saved
   * requests and CSRF tokens, Spring MVC's flash maps, the engine's own values, and the JDK
   * collections, times and boxed values inside them. {@code java.lang.*} covers one package only
   * (not {@code java.lang.reflect}, so no proxies); everything else is rejected.
   */
  static final String FILTER = String.join(";",
      "maxdepth=40", "maxrefs=20000", "maxarray=100000", "maxbytes=1048576",
      "java.lang.*", "java.util.*", "java.time.*", "java.net.URL", "java.net.URI",
      "org.springframework.security.**",
      // SessionFlashMapManager keeps a CopyOnWriteArrayList of FlashMaps (redirect notices)
      "java.util.concurrent.CopyOnWriteArrayList",
      "org.springframework.web.servlet.FlashMap", "org.springframework.util.LinkedMultiValueMap",
      "org.springframework.util.MultiValueMapAdapter",
      "dev.authoraization.**",
      "!*");

  private static final Logger log = LoggerFactory.getLogger(SessionAttributeCodec.class);

  private final ObjectInputFilter allowlist = ObjectInputFilter.Config.createFilter(FILTER);
  private final ClassLoader classLoader;

  SessionAttributeCodec(@Nullable ClassLoader classLoader) {
    this.classLoader = classLoader != null ? classLoader : ClassUtils.getDefaultClassLoader();
  }

  Converter<Object, byte[]> serializer() {
    return new SerializingConverter();
  }

  Converter<byte[], @Nullable Object> deserializer() {
    return this::read;
  }

  @Nullable Object read(byte[] bytes) {
    try (ObjectInputStream in = new Input(bytes, classLoader)) {
      in.setObjectInputFilter(this::check);
      return in.readObject();
    } catch (InvalidClassException e) {
      // a class outside the allowlist (bytes written by someone else), or one changed since the
      // session was written (an upgrade): either way this attribute is gone, the session is not
      log.warn("A session attribute was not read and counts as absent (a sign-in: the user signs in again): {}", e.getMessage());
      return null;
    } catch (IOException | ClassNotFoundException e) {
      log.warn("A session attribute was not read and counts as absent (a sign-in: the user signs in again): {}",
          e.getClass().getSimpleName());
      return null;
    }
  }

  private ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info) {
    ObjectInputFilter.Status status = allowlist.checkInput(info);
    if (status == ObjectInputFilter.Status.REJECTED) {
      Class<?> type = info.serialClass();
      if (type != null) {
        log.warn("A session attribute names {}, which sessions may not hold ({}); it is not read", type.getName(),
            info.arrayLength() < 0 ? "not on the allowlist" : "an array of " + info.arrayLength() + " elements");
      } else {
        log.warn("A session attribute exceeds the limits of sessions (depth {}, references {}, bytes {}); it is not "
            + "read", info.depth(), info.references(), info.streamBytes());
      }
    }
    return status;
  }

  /** Resolves classes with the application's class loader, as Spring Session's default does. */
  private static final class Input extends ObjectInputStream {

    private final ClassLoader classLoader;

    Input(byte[] bytes, ClassLoader classLoader) throws IOException {
      super(new ByteArrayInputStream(bytes));
      this.classLoader = classLoader;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass description) throws IOException, ClassNotFoundException {
      try {
        return ClassUtils.forName(description.getName(), classLoader);
      } catch (ClassNotFoundException e) {
        return super.resolveClass(description);
      }
    }
  }
}
