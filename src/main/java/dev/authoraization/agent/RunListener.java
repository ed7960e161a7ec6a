package dev.authoraization.agent;

import dev.authoraization.agent.Conversation.StoredMessage;
import dev.authoraization.agent.Conversation.ToolCallReport;
import java.util.List;

/**
 * What a run reports while it runs, so a page can show the answer as the model writes it. Only a
 * view: the stored conversation (complete messages, never fragments) stays the record, and what a
 * listener does cannot change the run. Called on the model client's or the run's thread, in
 * order; implementations return quickly and do not throw.
 */
public interface RunListener {

  /** Hears nothing. */
  RunListener NONE = new RunListener() {
    @Override
    public void text(String delta) {}

    @Override
    public void toolsRan(List<ToolCallReport> reports, StoredMessage results) {}
  };

  /** The next piece of the model's text; the pieces of one model message concatenate to its text. */
  void text(String delta);

  /**
   * The model's message asked for tools, and the gateway ran or refused each of them: what the
   * user sees of them, and the results going back to the model. Text after this is a new message.
   * Not called for a round that paused on an approval (the run ends there).
   */
  void toolsRan(List<ToolCallReport> reports, StoredMessage results);
}
