import { useState } from 'preact/hooks';
import { uploadUrl } from '../lib/api';
import { deleteMessage, editMessage, toggleReaction } from '../lib/chat';
import { Markdown } from '../lib/markdown';
import { formatBytes } from '../lib/uploads';
import type { Attachment, Message } from '../lib/types';
import { Chunks } from './Chunks';

const QUICK_REACTIONS = ['👍', '❤️', '😄', '🎉', '👀'];

export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function MessageItem(props: {
  message: Message;
  mine: boolean;
  myId: string;
  replyTo?: Message;
  onReply: (message: Message) => void;
}) {
  const { message, mine } = props;
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(message.content);
  const [picking, setPicking] = useState(false);

  if (message.type === 'system' || message.senderType === 'system') {
    return <li class="msg system" data-id={message.id}>{message.content}</li>;
  }

  const hasChunks = message.type === 'agent_response' && Array.isArray(message.chunks) && message.chunks.length > 0;
  return (
    <li class={`msg ${message.senderType}${mine ? ' mine' : ''}`} data-id={message.id}>
      <div class="msg-head">
        <span class="sender">{message.senderName}</span>
        {message.senderType === 'agent' && <span class="tag">agent</span>}
        <time dateTime={message.createdAt} title={new Date(message.createdAt).toLocaleString()}>{formatTime(message.createdAt)}</time>
        {message.updatedAt && <span class="muted">(edited)</span>}
        <span class="msg-actions">
          <button class="link" onClick={() => props.onReply(message)}>Reply</button>
          <button class="link" aria-expanded={picking} onClick={() => setPicking(!picking)}>React</button>
          {mine && message.type === 'text' && (
            <button class="link" onClick={() => { setDraft(message.content); setEditing(true); }}>Edit</button>
          )}
          {mine && (
            <button class="link danger"
              onClick={() => confirm('Delete this message?') && void deleteMessage(message.roomId, message.id)}>Delete</button>
          )}
        </span>
      </div>
      {props.replyTo && (
        <div class="reply-quote">↪ <b>{props.replyTo.senderName}</b>: {props.replyTo.content.slice(0, 120)}</div>
      )}
      {editing ? (
        <form class="edit" onSubmit={(e) => {
          e.preventDefault();
          if (draft.trim() && draft !== message.content) void editMessage(message.id, draft);
          setEditing(false);
        }}>
          <textarea value={draft} maxLength={100000} onInput={(e) => setDraft(e.currentTarget.value)}
            onKeyDown={(e) => e.key === 'Escape' && setEditing(false)} />
          <button type="submit" class="primary">Save</button>
          <button type="button" onClick={() => setEditing(false)}>Cancel</button>
        </form>
      ) : hasChunks ? (
        <Chunks chunks={message.chunks!} />
      ) : (
        <Markdown text={message.content} />
      )}
      {message.attachments && message.attachments.length > 0 && (
        <div class="attachments">{message.attachments.map((a) => <AttachmentView key={a.id} attachment={a} />)}</div>
      )}
      {picking && (
        <div class="reaction-picker">
          {QUICK_REACTIONS.map((emoji) => (
            <button key={emoji} class="icon" onClick={() => { setPicking(false); void toggleReaction(message.id, emoji); }}>{emoji}</button>
          ))}
        </div>
      )}
      {message.reactions && message.reactions.length > 0 && (
        <div class="reactions">
          {message.reactions.map((r) => (
            <button key={r.emoji} class={`reaction${r.userIds.includes(props.myId) ? ' own' : ''}`} title={r.usernames.join(', ')}
              onClick={() => void toggleReaction(message.id, r.emoji)}>
              {r.emoji} {r.userIds.length}
            </button>
          ))}
        </div>
      )}
    </li>
  );
}

export function AttachmentView({ attachment }: { attachment: Attachment }) {
  const url = uploadUrl(attachment.url);
  if (!url) return null;
  if (/^image\/(jpeg|png|gif|webp)$/.test(attachment.mimeType)) {
    return (
      <a class="attachment image" href={url} target="_blank" rel="noopener noreferrer">
        <img src={url} alt={attachment.filename} loading="lazy" />
      </a>
    );
  }
  return (
    <a class="attachment file" href={url} download={attachment.filename} rel="noopener noreferrer">
      <span class="file-icon">FILE</span>
      <span>{attachment.filename}<br /><span class="muted">{formatBytes(attachment.size)}</span></span>
    </a>
  );
}
