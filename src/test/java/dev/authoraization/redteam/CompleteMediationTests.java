package dev.authoraization.redteam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.call.ToolCallGateway;
import dev.authoraization.credential.CredentialVault;
import dev.authoraization.tool.ToolProvider;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.asm.ClassReader;
import org.springframework.asm.ClassVisitor;
import org.springframework.asm.MethodVisitor;
import org.springframework.asm.Opcodes;

/**
 * Invariant 3 (complete mediation), checked on the compiled engine: the only code that runs a
 * tool ({@code ToolProvider.execute}) or obtains a credential for one
 * ({@code CredentialVault.issue}) is {@link ToolCallGateway}. A new door that calls a provider
 * directly fails this test, whatever its own tests say.
 */
@Tag("redteam")
class CompleteMediationTests {

  @Test
  void onlyTheGatewayExecutesToolsOrIssuesTheirCredentials() throws Exception {
    Set<String> callers = new TreeSet<>();
    Path classes = Path.of(ToolCallGateway.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Path> files;
    try (Stream<Path> walk = Files.walk(classes)) {
      files = walk.filter(p -> p.toString().endsWith(".class")).toList();
    }
    assertThat(files).hasSizeGreaterThan(100);
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        new ClassReader(in).accept(new Calls(callers), ClassReader.SKIP_DEBUG);
      }
    }

    assertThat(callers).containsExactlyInAnyOrder(
        "dev/authoraization/call/ToolCallGateway -> execute",
        "dev/authoraization/call/ToolCallGateway -> issue",
        // a vault itself: its fallback asks the service vault, only ever inside the gateway's own issue()
        "dev/authoraization/credential/LinkedTokenVault -> issue");
  }

  /** Records which class calls execute(ToolCall, Credential) on a provider or issue(...) on a vault. */
  private static final class Calls extends ClassVisitor {
    private final Set<String> callers;
    private String name = "";

    Calls(Set<String> callers) {
      super(Opcodes.ASM9);
      this.callers = callers;
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
      this.name = name;
    }

    @Override
    public MethodVisitor visitMethod(int access, String method, String descriptor, String signature, String[] exceptions) {
      String caller = name;
      return new MethodVisitor(Opcodes.ASM9) {
        @Override
        public void visitMethodInsn(int opcode, String owner, String called, String calledDescriptor, boolean isInterface) {
          if (called.equals("execute") && implementsType(owner, ToolProvider.class)
              && calledDescriptor.startsWith("(Ldev/authoraization/call/ToolCall;Ldev/authoraization/credential/Credential;)")) {
            callers.add(outer(caller) + " -> execute");
          }
          if (called.equals("issue") && implementsType(owner, CredentialVault.class)) {
            callers.add(outer(caller) + " -> issue");
          }
        }
      };
    }

    private static String outer(String name) {
      int inner = name.indexOf('$');
      return inner < 0 ? name : name.substring(0, inner);
    }

    private static boolean implementsType(String owner, Class<?> type) {
      if (!owner.startsWith("dev/authoraization/")) {
        return false;
      }
      try {
        return type.isAssignableFrom(Class.forName(owner.replace('/', '.'), false,
            CompleteMediationTests.class.getClassLoader()));
      } catch (ClassNotFoundException e) {
        return false;
      }
    }
  }
}
