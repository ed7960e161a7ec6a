package dev.authoraization.policy.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CEL environment rule conditions are compiled in: the variables {@code caller},
 * {@code tool}, {@code args} and {@code resource} (see {@link PolicyVariables}) and the standard
 * library. Compiling parses and type-checks; the resulting program is evaluated per call.
 *
 * @see <a href="https://github.com/google/cel-spec/blob/master/doc/langdef.md">CEL language definition</a>
 */
final class Conditions {

  /**
   * Numbers from JSON arguments arrive as int or double; comparing {@code args.count > 2.5}
   * across the two is what a policy author expects. Comprehensions are bounded so a condition over
   * a large argument list cannot run away.
   */
  private static final CelOptions OPTIONS = CelOptions.current()
      .enableHeterogeneousNumericComparisons(true)
      .comprehensionMaxIterations(10_000)
      .build();

  private final CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
      .setOptions(OPTIONS)
      // has(), all(), exists(), exists_one(), map(), filter()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      // caller.roles is a list and caller.subject a string, so caller's values are dyn.
      .addVar(PolicyVariables.CALLER, MapType.create(SimpleType.STRING, SimpleType.DYN))
      .addVar(PolicyVariables.TOOL, MapType.create(SimpleType.STRING, SimpleType.STRING))
      .addVar(PolicyVariables.ARGS, MapType.create(SimpleType.STRING, SimpleType.DYN))
      .addVar(PolicyVariables.RESOURCE, SimpleType.STRING)
      .build();

  private final CelRuntime runtime = CelRuntimeFactory.standardCelRuntimeBuilder()
      .setOptions(OPTIONS)
      .build();

  /**
   * @throws IllegalArgumentException with CEL's message when the expression does not compile,
   *     does not type-check or is not boolean
   */
  Condition compile(String expression) {
    CelValidationResult result = compiler.compile(expression, "when");
    CelAbstractSyntaxTree ast;
    try {
      ast = result.getAst();
    } catch (CelValidationException e) {
      throw new IllegalArgumentException("condition does not compile: " + result.getErrorString());
    }
    CelKind kind = ast.getResultType().kind();
    if (kind != CelKind.BOOL && kind != CelKind.DYN) {
      throw new IllegalArgumentException("condition must be boolean, but it is "
          + ast.getResultType().name() + ": " + expression);
    }
    refuseUnknownFields(ast, expression);
    try {
      return new Condition.Cel(expression, runtime.createProgram(ast));
    } catch (CelEvaluationException e) {
      throw new IllegalArgumentException("condition cannot be planned: " + e.getMessage());
    }
  }

  /**
   * {@code caller} and {@code tool} are maps to CEL, so a misspelt field ({@code caller.rolez})
   * type-checks and then fails every call as a condition error. Their fields are known: a select
   * of another one is refused here, at load.
   */
  private static void refuseUnknownFields(CelAbstractSyntaxTree ast, String expression) {
    CelNavigableAst.fromAst(ast).getRoot().allNodes()
        .filter(node -> node.getKind() == CelExpr.ExprKind.Kind.SELECT)
        .map(node -> node.expr().select())
        .forEach(select -> ast.getReference(select.operand().id()).ifPresent(variable -> {
          Set<String> fields = PolicyVariables.FIELDS.get(variable.name());
          if (fields != null && !fields.contains(select.field())) {
            throw new IllegalArgumentException("condition uses " + variable.name() + "." + select.field()
                + ", which does not exist (" + variable.name() + " has " + new TreeSet<>(fields) + "): " + expression);
          }
        }));
  }
}
