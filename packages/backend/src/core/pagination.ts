/** One page of a list endpoint: `GET /users` answers this shape. */
export interface PaginatedResponse<T> {
  data: T[];
  /** Number of items matching the query, across all pages. */
  total: number;
  has_more: boolean;
  limit: number;
  offset: number;
}

/**
 * Yields every item, page after page, by advancing `offset` by the size of the
 * page received. Items created or deleted meanwhile can shift pages: use a
 * stable sort (the default `created_at`) when that matters.
 */
export async function* iterateOffsetPages<T>(
  fetchPage: (offset: number) => Promise<PaginatedResponse<T>>,
  startOffset = 0,
): AsyncGenerator<T, void, undefined> {
  let offset = startOffset;
  for (;;) {
    const page = await fetchPage(offset);
    yield* page.data;
    // The empty-page check stops a server that keeps saying has_more from looping forever.
    if (!page.has_more || page.data.length === 0) return;
    offset += page.data.length;
  }
}
