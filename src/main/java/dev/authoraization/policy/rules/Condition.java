package dev.authoraization.policy.rules;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelVariableResolver;
import org.jspecify.annotations.Nullable;

/** A rule's {@code when}: always true when absent, otherwise a compiled, type-checked CEL program. */
sealed interface Condition {

  /**
   * @throws ConditionError when the expression cannot be evaluated for this input (a missing map
   *     key, a type mismatch in a {@code dyn} value); the caller must fail closed
   */
  boolean test(CelVariableResolver variables) throws ConditionError;

  /** The expression as written, for traces. */
  String source();

  Condition ALWAYS = new Always();

  record Always() implements Condition {
    @Override
    public boolean test(CelVariableResolver variables) {
      return true;
    }

    @Override
    public String source() {
      return "true";
    }
  }

  record Cel(String source, CelRuntime.Program program) implements Condition {
    @Override
    public boolean test(CelVariableResolver variables) throws ConditionError {
      Object result;
      try {
        result = program.eval(variables);
      } catch (CelEvaluationException e) {
        throw new ConditionError(e.getMessage(), e);
      } catch (RuntimeException e) {
        // Whatever the runtime throws, an unevaluable condition must deny, never escape decide().
        throw new ConditionError(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
      }
      if (result instanceof Boolean value) {
        return value;
      }
      // Only a condition typed dyn (e.g. `args.draft`) can get here.
      throw new ConditionError("condition gave a " + result.getClass().getSimpleName()
          + ", not a boolean", null);
    }
  }

  /** Why a condition could not be evaluated; carries no stack trace as it is an expected outcome. */
  final class ConditionError extends Exception {
    ConditionError(String message, @Nullable Throwable cause) {
      super(message, cause, false, false);
    }
  }
}
