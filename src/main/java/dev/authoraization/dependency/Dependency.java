package dev.authoraization.dependency;

/** An outside service the engine cannot work without; its {@link #label()} starts every error about it. */
public enum Dependency {
  GITHUB("github"),
  VAULT("vault"),
  IDENTITY("identity provider"),
  CIBA("CIBA provider"),
  DATABASE("database");

  private final String label;

  Dependency(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
