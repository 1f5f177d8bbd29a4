import { api } from './api';
import type { Attachment } from './types';

// What the hub accepts (rest-api.md §9), checked before the upload so the user learns it first, not after.

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS = 20;
export const ALLOWED_TYPES: Record<string, string> = {
  'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/gif': 'GIF', 'image/webp': 'WebP', 'application/pdf': 'PDF',
  'application/zip': 'ZIP', 'application/x-zip-compressed': 'ZIP', 'application/gzip': 'GZIP', 'text/plain': 'text',
  'text/markdown': 'Markdown', 'text/csv': 'CSV', 'application/json': 'JSON',
};
export const LIMITS_TEXT = 'Up to 10 MB each, 20 per message: images (JPEG, PNG, GIF, WebP), PDF, ZIP, GZIP, text, Markdown, CSV, JSON.';

const byExtension: Record<string, string> = {
  md: 'text/markdown', markdown: 'text/markdown', csv: 'text/csv', json: 'application/json', txt: 'text/plain',
  gz: 'application/gzip', zip: 'application/zip', pdf: 'application/pdf',
};

/** The declared type the hub checks; browsers leave it empty for some text files. */
export function declaredType(file: File): string {
  if (file.type && ALLOWED_TYPES[file.type]) return file.type;
  const ext = file.name.split('.').pop()?.toLowerCase() ?? '';
  return byExtension[ext] ?? file.type;
}

/** Why the hub would refuse this file, or null. */
export function rejectReason(file: File): string | null {
  if (file.size > MAX_UPLOAD_BYTES) return `${file.name} is ${formatBytes(file.size)}; the limit is 10 MB.`;
  if (!ALLOWED_TYPES[declaredType(file)]) return `${file.name}: this file type (${file.type || 'unknown'}) is not accepted.`;
  return null;
}

export async function uploadFile(file: File): Promise<Attachment> {
  const form = new FormData();
  const type = declaredType(file);
  form.append('file', type === file.type ? file : new File([file], file.name, { type }));
  return api<Attachment>('/api/upload', { method: 'POST', form });
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
