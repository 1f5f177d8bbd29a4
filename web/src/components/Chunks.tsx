import { Markdown } from '../lib/markdown';
import type { Chunk } from '../lib/types';

const PREVIEW = 600;

/** An agent reply's pieces: text as Markdown, thinking folded away, tools and results compact, errors visible. */
export function Chunks(props: { chunks: Chunk[] }) {
  return (
    <div class="chunks">
      {props.chunks.map((chunk, i) => <ChunkView key={i} chunk={chunk} />)}
    </div>
  );
}

function ChunkView({ chunk }: { chunk: Chunk }) {
  switch (chunk.type) {
    case 'text':
      return <Markdown text={chunk.content} />;
    case 'thinking':
      return (
        <details class="chunk thinking">
          <summary>Thinking…</summary>
          <div class="chunk-body">{chunk.content}</div>
        </details>
      );
    case 'tool_use': {
      const name = typeof chunk.metadata?.toolName === 'string' ? chunk.metadata.toolName : toolName(chunk.content);
      return (
        <details class="chunk tool-use">
          <summary><span class="tag">tool</span> {name}</summary>
          <pre class="chunk-body">{clip(chunk.content)}</pre>
        </details>
      );
    }
    case 'tool_result':
      return (
        <details class="chunk tool-result">
          <summary><span class="tag">result</span> {firstLine(chunk.content)}</summary>
          <pre class="chunk-body">{clip(chunk.content)}</pre>
        </details>
      );
    case 'error':
      return <div class="chunk error-chunk" role="alert"><span class="tag">error</span> <pre>{clip(chunk.content)}</pre></div>;
    case 'workspace_status':
      return <WorkspaceStatus content={chunk.content} />;
    default:
      return null;
  }
}

function WorkspaceStatus({ content }: { content: string }) {
  try {
    const status = JSON.parse(content) as { branch?: string; summary?: { filesChanged: number; additions: number; deletions: number } };
    const s = status.summary;
    return (
      <div class="chunk workspace">
        <span class="tag">workspace</span> {status.branch ?? ''}{' '}
        {s ? `${s.filesChanged} files changed, +${s.additions} −${s.deletions}` : ''}
      </div>
    );
  } catch {
    return null;
  }
}

function toolName(content: string): string {
  try {
    const parsed = JSON.parse(content) as { name?: string };
    if (typeof parsed.name === 'string') return parsed.name;
  } catch {
    // Not JSON: the first line ("$ command") names it.
  }
  return firstLine(content);
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0];
  return line.length > 80 ? line.slice(0, 80) + '…' : line;
}

function clip(text: string): string {
  return text.length > 20 * PREVIEW ? text.slice(0, 20 * PREVIEW) + `\n… (${text.length - 20 * PREVIEW} more characters)` : text;
}
