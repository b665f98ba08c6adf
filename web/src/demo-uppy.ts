import Uppy from "@uppy/core";
import Attachments from "./uppy";
import type { Attachment } from "./uploader";

/** The Uppy demo: Uppy's core with the Attachments plugin; a chosen file is uploaded through Uppy. */
const params = new URLSearchParams(location.hash.slice(1));
const $ = (id: string) => document.getElementById(id)!;
const uppy = new Uppy({ autoProceed: true }).use(Attachments, {
  api: params.get("api") ?? location.origin,
  token: params.get("token") ?? "",
});
uppy.on("upload-progress", (_file, progress) => {
  $("percent").textContent = `${Math.floor((progress.bytesUploaded * 100) / (progress.bytesTotal ?? 1))}%`;
});
uppy.on("upload-success", (_file, response) => {
  const attachment = response.body as unknown as Attachment;
  $("id").textContent = attachment.id;
  $("status").textContent = attachment.status;
  $("verdict").textContent = attachment.scan?.verdict ?? "";
  $("done").textContent = "done";
});
uppy.on("upload-error", (_file, error) => {
  $("error").textContent = error.message;
});
const input = $("file") as HTMLInputElement;
input.addEventListener("change", () => {
  const file = input.files?.[0];
  if (file) uppy.addFile({ name: file.name, type: file.type, data: file, source: "file input" });
});
