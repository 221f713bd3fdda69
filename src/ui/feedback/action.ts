// The result of an action kept where the action is: a hook that runs it, keeps its refusal (the
// French reason thrown by the domain or the write path) or its confirmation, and whether it is
// running. Screens show it with <ActionFeedback> beside the control that caused it.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Feedback {
  kind: 'error' | 'success';
  text: string;
}

/** The French message of a refusal (an Error's message, or the thrown value as text). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface ActionState {
  feedback: Feedback | null;
  pending: boolean;
  /** Runs the action; a throw becomes the refusal shown beside the control. True on success. */
  run(what: () => Promise<unknown>, success?: string): Promise<boolean>;
  /** Shows a refusal found before running anything (a rule checked by the screen). */
  fail(text: string): void;
  clear(): void;
  /** Forgets a refusal (a confirmation stays): the situation it described has changed. */
  clearError(): void;
}

export function useAction(): ActionState {
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const [pending, setPending] = useState(false);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  const run = useCallback(async (what: () => Promise<unknown>, success?: string) => {
    setFeedback(null);
    setPending(true);
    try {
      await what();
      if (alive.current) setFeedback(success ? { kind: 'success', text: success } : null);
      return true;
    } catch (e) {
      if (alive.current) setFeedback({ kind: 'error', text: messageOf(e) });
      return false;
    } finally {
      if (alive.current) setPending(false);
    }
  }, []);
  const fail = useCallback((text: string) => setFeedback({ kind: 'error', text }), []);
  const clear = useCallback(() => setFeedback(null), []);
  const clearError = useCallback(() => setFeedback((f) => (f?.kind === 'error' ? null : f)), []);
  return { feedback, pending, run, fail, clear, clearError };
}
