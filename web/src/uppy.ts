import { BasePlugin, type Body, type Meta, type PluginOpts, type Uppy, type UppyFile } from "@uppy/core";
import { type Attachment, Uploader, type UploaderOptions } from "./uploader";

export interface AttachmentsOptions extends PluginOpts, UploaderOptions {
  /** Wait for each file's verdict before Uppy calls it a success (true) */
  waitForVerdict?: boolean;
}

/**
 * An Uppy uploader plugin on the Attachments API: `uppy.use(Attachments, {api, token})`. Each file
 * goes straight to S3 (parts in parallel, retried, resumed after a reload); its attachment, with
 * status and verdict, is the upload's response body.
 */
export default class Attachments<M extends Meta, B extends Body> extends BasePlugin<AttachmentsOptions, M, B> {
  private readonly uploader: Uploader;

  constructor(uppy: Uppy<M, B>, opts: AttachmentsOptions) {
    super(uppy, opts);
    this.id = opts.id ?? "Attachments";
    this.type = "uploader";
    this.uploader = new Uploader(opts);
  }

  override install(): void {
    this.uppy.addUploader(this.handle);
  }

  override uninstall(): void {
    this.uppy.removeUploader(this.handle);
  }

  private readonly handle = async (fileIDs: string[]): Promise<void> => {
    await Promise.all(fileIDs.map((id) => this.send(id)));
  };

  private async send(fileID: string): Promise<void> {
    const file = this.uppy.getFile(fileID) as UppyFile<M, B>;
    const upload = this.uploader.upload(file.data as File);
    const startedAt = Date.now();
    upload.addEventListener("progress", (e) => {
      const { loaded, total } = (e as CustomEvent).detail;
      this.uppy.emit("upload-progress", this.uppy.getFile(fileID), {
        uploadStarted: startedAt,
        bytesUploaded: loaded,
        bytesTotal: total,
      });
    });
    const onRemoved = (removed: UppyFile<M, B>) => removed.id === fileID && upload.cancel();
    const onPause = (id: string | undefined, paused: boolean) => id === fileID && (paused ? upload.pause() : upload.resume());
    this.uppy.on("file-removed", onRemoved);
    this.uppy.on("upload-pause", onPause as never);
    try {
      let attachment: Attachment = await upload.start();
      if (this.opts.waitForVerdict !== false) attachment = await upload.settled();
      this.uppy.emit("upload-success", this.uppy.getFile(fileID), {
        status: 200,
        body: attachment as unknown as B,
        uploadURL: `${this.opts.api.replace(/\/+$/, "")}/v1/attachments/${attachment.id}`,
      });
    } catch (e) {
      const error = e as Error;
      this.uppy.emit("upload-error", this.uppy.getFile(fileID), { name: error.name, message: error.message });
    } finally {
      this.uppy.off("file-removed", onRemoved);
      this.uppy.off("upload-pause", onPause as never);
    }
  }
}

export { Uploader, Upload, UploadError } from "./uploader";
