// Wire shapes of the hub's REST and WebSocket contract that the app reads. Only the fields the app uses are listed.

export interface User {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  role: 'admin' | 'user';
}

export interface Room {
  id: string;
  name: string;
  type: 'private' | 'group';
  broadcastMode: boolean;
  systemPrompt?: string | null;
  createdById: string;
  createdAt: string;
  updatedAt: string;
  pinnedAt?: string | null;
  archivedAt?: string | null;
}

export interface RoomMember {
  roomId: string;
  memberId: string;
  memberType: 'user' | 'agent';
  role: 'owner' | 'admin' | 'member';
  displayName?: string;
  lastReadAt?: string | null;
}

export type ChunkType = 'text' | 'thinking' | 'tool_use' | 'tool_result' | 'error' | 'workspace_status';

export interface Chunk {
  type: ChunkType;
  content: string;
  metadata?: Record<string, unknown>;
}

export interface Attachment {
  id: string;
  messageId?: string | null;
  filename: string;
  mimeType: string;
  size: number;
  url: string;
}

export interface Reaction {
  emoji: string;
  userIds: string[];
  usernames: string[];
}

export interface Message {
  id: string;
  roomId: string;
  senderId: string;
  senderType: 'user' | 'agent' | 'system';
  senderName: string;
  type: 'text' | 'system' | 'agent_response' | 'terminal';
  content: string;
  replyToId?: string | null;
  mentions: string[];
  chunks?: Chunk[] | null;
  attachments?: Attachment[];
  reactions?: Reaction[];
  createdAt: string;
  updatedAt?: string | null;
}

export interface Agent {
  id: string;
  name: string;
  type: string;
  status: 'online' | 'offline' | 'busy' | 'error';
  visibility?: string;
  gatewayId?: string;
  ownerName?: string;
}

export interface RecentEntry {
  content: string;
  senderName: string;
  createdAt: string;
  unread: number;
}

export interface HistoryPage {
  items: Message[];
  nextCursor?: string;
  hasMore: boolean;
}

export interface PermissionRequest {
  requestId: string;
  agentId: string;
  agentName: string;
  roomId: string;
  toolName: string;
  toolInput: Record<string, unknown>;
  expiresAt: string;
}

/** One server→client frame; `type` picks the rest. */
export type ServerFrame = { type: string } & Record<string, unknown>;
