import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useState } from "react";
import { messageOf } from "./api-error";

/**
 * One section's write: runs it, refreshes what it changed, and keeps the section's own outcome
 * (the API's message on failure, a short confirmation on success) for the section to show.
 */
export function useAction<TInput, TResult>(
  perform: (input: TInput) => Promise<TResult>,
  refresh: QueryKey[],
  onDone?: (result: TResult, input: TInput) => void | Promise<void>,
) {
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const mutation = useMutation({
    mutationFn: perform,
    onMutate: () => setNotice(null),
    onSuccess: async (result, input) => {
      await onDone?.(result, input);
      await Promise.all(refresh.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    },
  });
  return {
    run: (input: TInput, success: string) =>
      mutation.mutateAsync(input).then(
        (result) => {
          setNotice(success);
          return result;
        },
        () => undefined,
      ),
    pending: mutation.isPending,
    error: mutation.error ? messageOf(mutation.error) : null,
    rawError: mutation.error,
    notice,
    reset: () => {
      mutation.reset();
      setNotice(null);
    },
  };
}
