import { useRef, useState } from 'preact/hooks';
import { errorText } from '../lib/api';
import { notify, sendMessage, sendTyping } from '../lib/chat';
import { LIMITS_TEXT, MAX_ATTACHMENTS, formatBytes, rejectReason, uploadFile } from '../lib/uploads';
import type { Attachment, Message } from '../lib/types';

export interface MentionCandidate {
  name: string;
  label: string;
  kind: 'user' | 'agent';
}

interface Pending {
  key: number;
  file: File;
  preview?: string;
  uploaded?: Attachment;
  error?: string;
}

let pendingKey = 0;

export function Composer(props: {
  roomId: string;
  candidates: MentionCandidate[];
  replyTo: Message | null;
  onCancelReply: () => void;
}) {
  const [text, setText] = useState('');
  const [pending, setPending] = useState<Pending[]>([]);
  const [mention, setMention] = useState<{ start: number; query: string; index: number } | null>(null);
  const [dragging, setDragging] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const matches = mention
    ? props.candidates.filter((c) => c.name.toLowerCase().startsWith(mention.query.toLowerCase())).slice(0, 8)
    : [];
  const uploading = pending.some((p) => !p.uploaded && !p.error);

  function addFiles(files: Iterable<File>) {
    const list = [...files];
    if (list.length === 0) return;
    if (pending.length + list.length > MAX_ATTACHMENTS) {
      notify(`At most ${MAX_ATTACHMENTS} files per message.`);
      return;
    }
    for (const file of list) {
      const reason = rejectReason(file);
      if (reason) {
        notify(reason);
        continue;
      }
      const item: Pending = { key: ++pendingKey, file, preview: file.type.startsWith('image/') ? URL.createObjectURL(file) : undefined };
      setPending((p) => [...p, item]);
      uploadFile(file).then(
        (uploaded) => setPending((p) => p.map((x) => (x.key === item.key ? { ...x, uploaded } : x))),
        (e) => setPending((p) => p.map((x) => (x.key === item.key ? { ...x, error: errorText(e) } : x))),
      );
    }
  }

  function removePending(key: number) {
    setPending((p) => {
      const gone = p.find((x) => x.key === key);
      if (gone?.preview) URL.revokeObjectURL(gone.preview);
      return p.filter((x) => x.key !== key);
    });
  }

  function submit() {
    const content = text.trim();
    const attachments = pending.filter((p) => p.uploaded).map((p) => p.uploaded!);
    if (uploading || (!content && attachments.length === 0)) return;
    const body = content || attachments.map((a) => a.filename).join(', ');
    sendMessage(props.roomId, body, { replyToId: props.replyTo?.id, attachmentIds: attachments.map((a) => a.id) });
    for (const p of pending) if (p.preview) URL.revokeObjectURL(p.preview);
    setText('');
    setPending([]);
    setMention(null);
    props.onCancelReply();
  }

  function updateMention(value: string, caret: number) {
    const before = value.slice(0, caret);
    const match = /(^|[^A-Za-z0-9])@([A-Za-z0-9._-]*)$/.exec(before);
    setMention(match ? { start: caret - match[2].length - 1, query: match[2], index: 0 } : null);
  }

  function complete(candidate: MentionCandidate) {
    if (!mention) return;
    const caret = mention.start + 1 + mention.query.length;
    const next = `${text.slice(0, mention.start)}@${candidate.name} ${text.slice(caret)}`;
    setText(next);
    setMention(null);
    const position = mention.start + candidate.name.length + 2;
    requestAnimationFrame(() => {
      area.current?.focus();
      area.current?.setSelectionRange(position, position);
    });
  }

  function onKeyDown(event: KeyboardEvent) {
    if (mention && matches.length > 0) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : matches.length - 1;
        setMention({ ...mention, index: (mention.index + step) % matches.length });
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        complete(matches[Math.min(mention.index, matches.length - 1)]);
        return;
      }
      if (event.key === 'Escape') {
        setMention(null);
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape' && props.replyTo) {
      props.onCancelReply();
    }
  }

  return (
    <div class={`composer${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => { e.preventDefault(); setDragging(false); if (e.dataTransfer?.files) addFiles(e.dataTransfer.files); }}>
      {props.replyTo && (
        <div class="replying">
          Replying to <b>{props.replyTo.senderName}</b>: {props.replyTo.content.slice(0, 80)}
          <button class="icon" aria-label="Cancel reply" onClick={props.onCancelReply}>✕</button>
        </div>
      )}
      {pending.length > 0 && (
        <ul class="pending" aria-label="Files to send">
          {pending.map((p) => (
            <li key={p.key} class={p.error ? 'failed' : p.uploaded ? 'done' : 'busy'}>
              {p.preview ? <img src={p.preview} alt="" /> : <span class="file-icon">FILE</span>}
              <span class="pending-name">{p.file.name}<br /><span class="muted">
                {p.error ? p.error : p.uploaded ? formatBytes(p.file.size) : 'Uploading…'}</span></span>
              <button class="icon" aria-label={`Remove ${p.file.name}`} onClick={() => removePending(p.key)}>✕</button>
            </li>
          ))}
        </ul>
      )}
      {mention && matches.length > 0 && (
        <ul class="mentions" role="listbox" aria-label="Mention">
          {matches.map((c, i) => (
            <li key={c.name} role="option" aria-selected={i === mention.index} class={i === mention.index ? 'selected' : ''}
              onMouseDown={(e) => { e.preventDefault(); complete(c); }}>
              @{c.name} <span class="muted">{c.kind === 'agent' ? 'agent' : c.label}</span>
            </li>
          ))}
        </ul>
      )}
      <div class="composer-row">
        <button class="icon attach" title={`Attach files. ${LIMITS_TEXT}`} aria-label="Attach files"
          onClick={() => fileInput.current?.click()}>+</button>
        <input ref={fileInput} type="file" multiple hidden aria-label="Files"
          onChange={(e) => { addFiles(e.currentTarget.files ?? []); e.currentTarget.value = ''; }} />
        <textarea ref={area} rows={1} value={text} maxLength={100000}
          placeholder="Message (Enter to send, Shift+Enter for a new line, @ to mention)"
          aria-label="Message"
          onInput={(e) => {
            const el = e.currentTarget;
            setText(el.value);
            updateMention(el.value, el.selectionStart ?? el.value.length);
            if (el.value) sendTyping(props.roomId);
          }}
          onKeyDown={onKeyDown}
          onPaste={(e) => {
            const files = e.clipboardData?.files;
            if (files && files.length > 0) {
              e.preventDefault();
              addFiles(files);
            }
          }} />
        <button class="primary send" onClick={submit}
          disabled={uploading || (!text.trim() && !pending.some((p) => p.uploaded))}>Send</button>
      </div>
      <p class="limits muted">{LIMITS_TEXT}</p>
    </div>
  );
}

