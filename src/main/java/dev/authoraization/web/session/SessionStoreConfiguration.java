package dev.authoraization.web.session;

import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.support.GenericConversionService;

/**
 * Browser sessions (the chat's and the approver pages' sign-in, CSRF tokens, the approver page's
 * nonces, the passkey enrolment challenge, the conversation id) live in the database through
 * Spring Session JDBC, whose tables come from our Flyway migration V16. This class only decides
 * how attributes become bytes: {@link SessionAttributeCodec}. Spring Session picks the converter
 * up by its bean name.
 */
@Configuration(proxyBeanMethods = false)
class SessionStoreConfiguration implements BeanClassLoaderAware {

  private ClassLoader classLoader = SessionStoreConfiguration.class.getClassLoader();

  @Override
  public void setBeanClassLoader(ClassLoader classLoader) {
    this.classLoader = classLoader;
  }

  /** Found by its name only, so it never competes with MVC's conversion service for injection by type. */
  @Bean(defaultCandidate = false)
  ConversionService springSessionConversionService() {
    SessionAttributeCodec codec = new SessionAttributeCodec(classLoader);
    GenericConversionService conversions = new GenericConversionService();
    conversions.addConverter(Object.class, byte[].class, codec.serializer());
    conversions.addConverter(byte[].class, Object.class, codec.deserializer());
    return conversions;
  }
}
