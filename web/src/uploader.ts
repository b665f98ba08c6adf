/**
 * Uploads a File to the Attachments API from a browser: the bytes go straight to S3 through the
 * presigned URLs the API answers, in one PUT or (above the server's threshold) in parallel parts.
 * A failed part is sent again on a fresh URL; after a reload the same file resumes from the parts
 * S3 holds (GET /parts); pause, resume and cancel; progress and status events.
 *
 * The credential is an upload token (POST /v1/upload-tokens, minted by your backend), never an API key.
 */

export interface UploaderOptions {
  /** The API's URL, e.g. https://attachments.example.com */
  api: string;
  /** An upload token (attu_…) */
  token: string;
  /** Parts uploaded at once (4) */
  parallel?: number;
  /** Tries per part (3) */
  tries?: number;
  /** Where unfinished uploads are remembered across reloads (localStorage; null: nowhere) */
  storage?: Storage | null;
}

export interface Attachment {
  id: string;
  filename: string;
  status: string;
  reason?: string | null;
  scan?: { verdict?: string | null; signature?: string | null } | null;
  preview?: { status?: string; urls?: Record<string, string> | null } | null;
  [field: string]: unknown;
}

/** What the API or S3 refused; `status` is the HTTP status (0 for the network). */
export class UploadError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const UNDER_WAY = new Set(["AWAITING_UPLOAD", "PROCESSING"]);

interface UploadPlan {
  mode: "single" | "multipart";
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  partSize?: number;
  partCount?: number;
}

interface PartUrl {
  partNumber: number;
  url: string;
  headers: Record<string, string>;
}

/**
 * One file's upload. Events: `created` (detail {id}: the attachment's id, new or resumed),
 * `progress` (detail {loaded, total}), `resumed` (detail {storedParts}), `status` (detail: the
 * attachment).
 */
export class Upload extends EventTarget {
  id: string | null = null;
  private paused = false;
  private wake: (() => void) | null = null;
  private readonly aborts = new Set<XMLHttpRequest>();
  private cancelled = false;
  private readonly loadedByPart = new Map<number, number>();
  private stored = 0;

  constructor(
    private readonly uploader: Uploader,
    readonly file: File,
  ) {
    super();
  }

  pause(): void {
    this.paused = true;
    for (const xhr of this.aborts) xhr.abort();
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  /** Stops for good; the upload's row expires on the server. */
  cancel(): void {
    this.cancelled = true;
    this.uploader.forget(this.file);
    this.pause();
    this.wake?.();
  }

  /** Uploads, completes and answers the attachment (AWAITING_UPLOAD done: PROCESSING or later). */
  async start(): Promise<Attachment> {
    const u = this.uploader;
    let plan: UploadPlan | null = null;
    const remembered = u.remembered(this.file);
    if (remembered) {
      try {
        const attachment = await u.call<Attachment>("GET", `/v1/attachments/${remembered}`);
        if (attachment.status !== "AWAITING_UPLOAD") {
          u.forget(this.file);
          this.id = remembered;
          return attachment;
        }
        this.id = remembered;
        plan = await u.call<UploadPlan>("POST", `/v1/attachments/${remembered}/upload`);
      } catch (e) {
        u.forget(this.file); // gone or not this token's: start over
      }
    }
    if (!plan) {
      const created = await u.call<{ id: string; upload: UploadPlan }>("POST", "/v1/attachments", {
        filename: this.file.name,
        contentType: this.file.type || "application/octet-stream",
        size: this.file.size,
      });
      this.id = created.id;
      u.remember(this.file, created.id);
      plan = created.upload;
    }
    this.dispatchEvent(new CustomEvent("created", { detail: { id: this.id } }));
    if (plan.mode === "single") {
      await this.withRetries(1, async () => {
        await this.put(plan!.url!, plan!.headers ?? {}, this.file, 1);
      }, async () => {
        plan = await u.call<UploadPlan>("POST", `/v1/attachments/${this.id}/upload`);
        return plan;
      });
      await u.call("POST", `/v1/attachments/${this.id}/complete`, {});
    } else {
      const parts = await this.uploadParts(plan.partSize!, plan.partCount!);
      await u.call("POST", `/v1/attachments/${this.id}/complete`, { parts });
    }
    u.forget(this.file);
    const attachment = await u.call<Attachment>("GET", `/v1/attachments/${this.id}`);
    this.dispatchEvent(new CustomEvent("status", { detail: attachment }));
    return attachment;
  }

  /** Polls the attachment until its verdict, with a status event at each change. */
  async settled(everyMs = 1000): Promise<Attachment> {
    let last = "";
    for (;;) {
      const attachment = await this.uploader.call<Attachment>("GET", `/v1/attachments/${this.id}`);
      const seen = attachment.status + "/" + (attachment.preview?.status ?? "");
      if (seen !== last) {
        last = seen;
        this.dispatchEvent(new CustomEvent("status", { detail: attachment }));
      }
      const previewPending = attachment.status === "RELEASED" && attachment.preview?.status === "PENDING";
      if (!UNDER_WAY.has(attachment.status) && !previewPending) return attachment;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  private async uploadParts(partSize: number, partCount: number) {
    const u = this.uploader;
    const etags = new Map<number, string>();
    const held = await u.call<{ parts: { partNumber: number; size: number; etag: string }[] }>(
      "GET",
      `/v1/attachments/${this.id}/parts`,
    );
    for (const part of held.parts) {
      if (part.size === this.partLength(part.partNumber, partSize, partCount)) {
        etags.set(part.partNumber, part.etag);
        this.stored += part.size;
      }
    }
    if (etags.size > 0) this.dispatchEvent(new CustomEvent("resumed", { detail: { storedParts: etags.size } }));
    const missing: number[] = [];
    for (let n = 1; n <= partCount; n++) if (!etags.has(n)) missing.push(n);
    const queue = [...missing];
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const number = next;
        const blob = this.file.slice((number - 1) * partSize, (number - 1) * partSize + this.partLength(number, partSize, partCount));
        let url = await this.presign(number);
        const etag = await this.withRetries(number, () => this.put(url.url, url.headers, blob, number), async () => {
          url = await this.presign(number);
          return url;
        });
        etags.set(number, etag);
      }
    };
    await Promise.all(Array.from({ length: Math.min(u.parallel, missing.length) }, worker));
    return [...etags.entries()].sort((a, b) => a[0] - b[0]).map(([partNumber, etag]) => ({ partNumber, etag }));
  }

  private async presign(partNumber: number): Promise<PartUrl> {
    const answer = await this.uploader.call<{ parts: PartUrl[] }>("POST", `/v1/attachments/${this.id}/parts`, {
      partNumbers: [partNumber],
    });
    return answer.parts[0];
  }

  private async withRetries<T>(part: number, send: () => Promise<T>, fresh: () => Promise<unknown>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.whilePaused();
      try {
        return await send();
      } catch (e) {
        this.loadedByPart.set(part, 0);
        if (this.cancelled) throw new UploadError("cancelled", 0);
        if (this.paused) {
          attempt--; // a pause is not a failure
        } else if (attempt >= this.uploader.tries) {
          throw e;
        } else {
          await new Promise((r) => setTimeout(r, 500 * attempt));
        }
        await this.whilePaused();
        await fresh();
      }
    }
  }

  private whilePaused(): Promise<void> {
    if (this.cancelled) return Promise.reject(new UploadError("cancelled", 0));
    if (!this.paused) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
    });
  }

  /** PUTs the bytes with exactly the headers given (the browser sets Content-Length); answers the ETag. */
  private put(url: string, headers: Record<string, string>, body: Blob, part: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      this.aborts.add(xhr);
      xhr.open("PUT", url);
      for (const [name, value] of Object.entries(headers)) {
        if (name.toLowerCase() !== "content-length" && name.toLowerCase() !== "host") xhr.setRequestHeader(name, value);
      }
      xhr.upload.onprogress = (e) => {
        this.loadedByPart.set(part, e.loaded);
        this.progress();
      };
      xhr.onload = () => {
        this.aborts.delete(xhr);
        if (xhr.status === 200) {
          this.loadedByPart.set(part, body.size);
          this.progress();
          resolve(xhr.getResponseHeader("ETag") ?? "");
        } else {
          reject(new UploadError(`S3 answered ${xhr.status}`, xhr.status));
        }
      };
      xhr.onerror = xhr.onabort = () => {
        this.aborts.delete(xhr);
        reject(new UploadError("the upload to S3 failed", 0));
      };
      xhr.send(body);
    });
  }

  private progress(): void {
    let loaded = this.stored;
    for (const bytes of this.loadedByPart.values()) loaded += bytes;
    this.dispatchEvent(new CustomEvent("progress", { detail: { loaded, total: this.file.size } }));
  }

  private partLength(n: number, partSize: number, partCount: number): number {
    return n < partCount ? partSize : this.file.size - (partCount - 1) * partSize;
  }
}

export class Uploader {
  readonly parallel: number;
  readonly tries: number;
  private readonly api: string;
  private readonly storage: Storage | null;

  constructor(private readonly options: UploaderOptions) {
    this.api = options.api.replace(/\/+$/, "");
    this.parallel = options.parallel ?? 4;
    this.tries = options.tries ?? 3;
    this.storage = options.storage === undefined ? globalThis.localStorage ?? null : options.storage;
  }

  /** An upload of the file, not started: add listeners, then `start()`. */
  upload(file: File): Upload {
    return new Upload(this, file);
  }

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.api + path, {
        method,
        headers: {
          Authorization: `Bearer ${this.options.token}`,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new UploadError(`the API cannot be reached: ${e}`, 0);
    }
    const text = await response.text();
    const answer = text ? JSON.parse(text) : null;
    if (!response.ok) {
      throw new UploadError(answer?.detail ?? `the API answered ${response.status}`, response.status);
    }
    return answer as T;
  }

  remembered(file: File): string | null {
    return this.storage?.getItem(this.key(file)) ?? null;
  }

  remember(file: File, id: string): void {
    this.storage?.setItem(this.key(file), id);
  }

  forget(file: File): void {
    this.storage?.removeItem(this.key(file));
  }

  /** A file is known by its name, size and modification time, on one API. */
  private key(file: File): string {
    return `attachments-upload:${this.api}:${file.name}:${file.size}:${file.lastModified}`;
  }
}
