import { Uploader, type Attachment } from "./uploader";

/** The demo page: a file dropped or chosen is uploaded with the token in the URL's fragment. */
const params = new URLSearchParams(location.hash.slice(1));
const api = params.get("api") ?? location.origin;
const token = params.get("token") ?? "";
const parallel = Number(params.get("parallel") ?? "4");
const $ = (id: string) => document.getElementById(id)!;

function show(attachment: Attachment): void {
  $("status").textContent = attachment.status;
  $("verdict").textContent = attachment.scan?.verdict ?? "";
  $("reason").textContent = attachment.reason ?? "";
  const thumbnail = attachment.preview?.urls?.thumbnail;
  if (thumbnail) ($("preview") as HTMLImageElement).src = thumbnail;
  $("preview-status").textContent = attachment.preview?.status ?? "";
}

async function send(file: File): Promise<void> {
  const upload = new Uploader({ api, token, parallel }).upload(file);
  upload.addEventListener("progress", (e) => {
    const { loaded, total } = (e as CustomEvent).detail;
    ($("progress") as HTMLProgressElement).value = loaded / total;
    $("percent").textContent = `${Math.floor((loaded * 100) / total)}%`;
  });
  upload.addEventListener("resumed", (e) => {
    $("resumed").textContent = `resumed: ${(e as CustomEvent).detail.storedParts} parts were stored`;
  });
  upload.addEventListener("status", (e) => show((e as CustomEvent).detail));
  upload.addEventListener("created", (e) => {
    $("id").textContent = (e as CustomEvent).detail.id;
  });
  $("pause").onclick = () => upload.pause();
  $("resume").onclick = () => upload.resume();
  $("cancel").onclick = () => upload.cancel();
  try {
    await upload.start();
    show(await upload.settled());
    $("done").textContent = "done";
  } catch (e) {
    $("error").textContent = String((e as Error).message ?? e);
  }
}

const input = $("file") as HTMLInputElement;
input.addEventListener("change", () => input.files?.[0] && send(input.files[0]));
const zone = $("drop");
zone.addEventListener("dragover", (e) => e.preventDefault());
zone.addEventListener("drop", (e) => {
  e.preventDefault();
  const file = e.dataTransfer?.files[0];
  if (file) send(file);
});
if (!token) $("error").textContent = "no upload token: open this page as demo/index.html#api=…&token=attu_…";
