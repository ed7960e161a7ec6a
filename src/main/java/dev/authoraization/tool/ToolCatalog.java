package dev.authoraization.tool;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Every tool the engine offers, by name, with the provider that runs it. Built once at start. */
@Component
public class ToolCatalog {

  /** A tool together with the provider that runs it. */
  public record Entry(ToolDescriptor descriptor, ToolProvider provider) {}

  private final Map<String, Entry> entries;

  public ToolCatalog(List<ToolProvider> providers) {
    Map<String, Entry> byName = new LinkedHashMap<>();
    for (ToolProvider provider : providers) {
      for (ToolDescriptor descriptor : provider.tools()) {
        Entry previous = byName.putIfAbsent(descriptor.name(), new Entry(descriptor, provider));
        if (previous != null) {
          throw new IllegalStateException("Two tool providers offer a tool named '"
              + descriptor.name() + "': " + previous.provider().getClass().getName() + " and "
              + provider.getClass().getName() + ". Tool names must be unique.");
        }
      }
    }
    this.entries = Map.copyOf(byName);
  }

  public Optional<Entry> find(String name) {
    return Optional.ofNullable(entries.get(name));
  }

  public Collection<ToolDescriptor> descriptors() {
    return entries.values().stream().map(Entry::descriptor)
        .sorted((a, b) -> a.name().compareTo(b.name())).toList();
  }
}
