/** One page of a list endpoint: `GET /users` answers this shape. */
export interface PaginatedResponse<T> {
  data: T[];
  /** Number of items matching the query, across all pages. */
  total: number;
  has_more: boolean;
  limit: number;
  offset: number;
}

/** What every list answer has, whatever else it carries (total, offset …). */
export interface Page<T> {
  data: T[];
  has_more: boolean;
}

/** Given the page just received, the request for the next one (called only when `has_more`). */
export type NextPageFetcher<TPage> = (page: TPage) => Promise<TPage>;

/**
 * A list call's answer that can be awaited for its first page or iterated for every item, as in
 * openai-node: `await client.users.listUsers()` is the page, and
 * `for await (const user of client.users.listUsers())` walks all pages. The first page is asked for
 * at once (like any promise); iteration reuses it and fetches the rest as the loop advances.
 */
export class PagePromise<TItem, TPage extends Page<TItem> = Page<TItem>> implements Promise<TPage>, AsyncIterable<TItem> {
  readonly #firstPage: Promise<TPage>;
  readonly #fetchNextPage: NextPageFetcher<TPage>;
  readonly [Symbol.toStringTag] = "PagePromise";

  constructor(firstPage: Promise<TPage>, fetchNextPage: NextPageFetcher<TPage>) {
    this.#firstPage = firstPage;
    this.#fetchNextPage = fetchNextPage;
  }

  then<TResult1 = TPage, TResult2 = never>(
    onFulfilled?: ((page: TPage) => TResult1 | PromiseLike<TResult1>) | null,
    onRejected?: ((reason: unknown) => TResult2 | PromiseLike<TResult2>) | null,
  ): Promise<TResult1 | TResult2> {
    return this.#firstPage.then(onFulfilled, onRejected);
  }

  catch<TResult = never>(onRejected?: ((reason: unknown) => TResult | PromiseLike<TResult>) | null): Promise<TPage | TResult> {
    return this.#firstPage.catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<TPage> {
    return this.#firstPage.finally(onFinally);
  }

  /** Every page, the first included. */
  async *iteratePages(): AsyncGenerator<TPage, void, undefined> {
    let page = await this.#firstPage;
    for (;;) {
      yield page;
      // The empty-page check stops a server that keeps saying has_more from looping forever.
      if (!page.has_more || page.data.length === 0) return;
      page = await this.#fetchNextPage(page);
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TItem, void, undefined> {
    for await (const page of this.iteratePages()) yield* page.data;
  }
}

/** A list paged by `offset`: the next page starts where this one ended. */
export function paginateByOffset<TItem, TPage extends Page<TItem> & { offset: number }>(
  fetchPage: (offset: number | undefined) => Promise<TPage>,
  offset?: number,
): PagePromise<TItem, TPage> {
  return new PagePromise(fetchPage(offset), (page) => fetchPage(page.offset + page.data.length));
}

/**
 * A list paged by cursor: the next page is `starting_after` the last item's id, so items created
 * or deleted meanwhile cannot shift a page (no item skipped or seen twice).
 */
export function paginateByCursor<TItem extends { id: string }, TPage extends Page<TItem>>(
  fetchPage: (startingAfter: string | undefined) => Promise<TPage>,
  startingAfter?: string,
): PagePromise<TItem, TPage> {
  return new PagePromise(fetchPage(startingAfter), (page) => fetchPage(page.data.at(-1)?.id));
}
