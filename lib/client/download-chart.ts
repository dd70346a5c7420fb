"use client";

/** Saves a Blob under `name` through a temporary link (the browser's download). */
function save(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const cell = (v: unknown) => {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\r\n]/.test(s) || /^[=+\-@\t]/.test(s) ? `"${(/^[=+\-@\t]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"` : s;
};

/** A chart's data as CSV (RFC 4180; cells that a spreadsheet would run as formulas are quoted with '). */
export function downloadCsv(name: string, header: string[], rows: unknown[][]): void {
  const text = [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
  save(new Blob([text], { type: "text/csv;charset=utf-8" }), name);
}

/** The chart (the SVG Recharts drew inside `box`) as a PNG at twice its size, on white, with its title. */
export async function downloadChartPng(box: HTMLElement, name: string, title: string): Promise<void> {
  const svg = box.querySelector("svg.recharts-surface");
  if (!svg) return;
  const { width, height } = svg.getBoundingClientRect();
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  clone.setAttribute("width", String(width));
  clone.setAttribute("height", String(height));
  clone.style.color = "#0f172a";
  const data = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(clone))}`;
  const img = new Image();
  await new Promise<void>((resolve, reject) => {
    img.onload = () => resolve();
    img.onerror = () => reject(new Error("the chart could not be drawn as an image"));
    img.src = data;
  });
  const scale = 2;
  const top = 28;
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil((height + top) * scale);
  const ctx = canvas.getContext("2d")!;
  ctx.scale(scale, scale);
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height + top);
  ctx.fillStyle = "#0f172a";
  ctx.font = "600 14px system-ui, sans-serif";
  ctx.fillText(title, 8, 18);
  ctx.drawImage(img, 0, top, width, height);
  const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, "image/png"));
  if (blob) save(blob, name);
}
