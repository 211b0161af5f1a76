/**
 * SoupBinTCP 3.00 packets (spec §2) as plain readonly objects, tagged by `type`.
 *
 * Every packet on the wire is `[length: uint16 BE][type: 1 byte][payload]`, where the length
 * counts the type byte plus the payload. Sequence numbers are `number`s that must be safe
 * integers.
 *
 * @module
 */

/** Login Reject Reason Code (spec §5.13): Not authorized, Session not available. */
export const LOGIN_REJECT_CODES = {
  A: "Not authorized",
  S: "Session not available",
} as const;
/** A Login Reject Reason Code. */
export type LoginRejectCode = keyof typeof LOGIN_REJECT_CODES;

/** Packet type byte: Debug `+`, either direction. */
export const PACKET_TYPE_DEBUG = 0x2b;
/** Packet type byte: Login Request `L`, client to server. */
export const PACKET_TYPE_LOGIN_REQUEST = 0x4c;
/** Packet type byte: Login Accepted `A`, server to client. */
export const PACKET_TYPE_LOGIN_ACCEPTED = 0x41;
/** Packet type byte: Login Rejected `J`, server to client. */
export const PACKET_TYPE_LOGIN_REJECTED = 0x4a;
/** Packet type byte: Sequenced Data `S`, server to client. */
export const PACKET_TYPE_SEQUENCED_DATA = 0x53;
/** Packet type byte: Unsequenced Data `U`, client to server. */
export const PACKET_TYPE_UNSEQUENCED_DATA = 0x55;
/** Packet type byte: Server Heartbeat `H`, server to client. */
export const PACKET_TYPE_SERVER_HEARTBEAT = 0x48;
/** Packet type byte: Client Heartbeat `R`, client to server. */
export const PACKET_TYPE_CLIENT_HEARTBEAT = 0x52;
/** Packet type byte: Logout Request `O`, client to server. */
export const PACKET_TYPE_LOGOUT_REQUEST = 0x4f;
/** Packet type byte: End of Session `Z`, server to client. */
export const PACKET_TYPE_END_OF_SESSION = 0x5a;

/** Payload length of Login Request (Username 6, Password 10, Session 10, Sequence 20). */
export const LOGIN_REQUEST_PAYLOAD_LENGTH = 46;
/** Payload length of Login Accepted (Session 10, Sequence 20). */
export const LOGIN_ACCEPTED_PAYLOAD_LENGTH = 30;
/** Payload length of Login Rejected (Reject Reason Code 1). */
export const LOGIN_REJECTED_PAYLOAD_LENGTH = 1;
/** Width of the Username field. */
export const USERNAME_LENGTH = 6;
/** Width of the Password field. */
export const PASSWORD_LENGTH = 10;
/** Width of the Session field. */
export const SESSION_LENGTH = 10;
/** Width of a Numeric sequence-number field. */
export const SEQUENCE_NUMBER_LENGTH = 20;

/** Debug `+`: free ASCII text; receivers ignore it. */
export interface DebugPacket {
  readonly type: "debug";
  readonly text: string;
}

/** Login Request `L`. `requestedSession` `""` asks for the current session (spec §2.1). */
export interface LoginRequestPacket {
  readonly type: "loginRequest";
  readonly username: string;
  readonly password: string;
  readonly requestedSession: string;
  /**
   * Next sequenced message wanted; `0` means no replay, only new messages (K2). The field
   * holds up to 20 digits: a value above `Number.MAX_SAFE_INTEGER` is read exactly, as a
   * bigint (such a number is beyond any stream, so it asks for the next new message).
   */
  readonly requestedSequenceNumber: number | bigint;
}

/** Login Accepted `A`: the session and the number of the next Sequenced Data message. */
export interface LoginAcceptedPacket {
  readonly type: "loginAccepted";
  readonly session: string;
  readonly sequenceNumber: number;
}

/** Login Rejected `J`. */
export interface LoginRejectedPacket {
  readonly type: "loginRejected";
  readonly rejectReasonCode: LoginRejectCode;
}

/** Sequenced Data `S`: one outbound OUCH message. `message` may be a view; copy it to keep it. */
export interface SequencedDataPacket {
  readonly type: "sequencedData";
  readonly message: Uint8Array;
}

/** Unsequenced Data `U`: one inbound OUCH message. `message` may be a view; copy it to keep it. */
export interface UnsequencedDataPacket {
  readonly type: "unsequencedData";
  readonly message: Uint8Array;
}

/** Server Heartbeat `H`. */
export interface ServerHeartbeatPacket {
  readonly type: "serverHeartbeat";
}

/** Client Heartbeat `R`. */
export interface ClientHeartbeatPacket {
  readonly type: "clientHeartbeat";
}

/** Logout Request `O`. */
export interface LogoutRequestPacket {
  readonly type: "logoutRequest";
}

/** End of Session `Z`. */
export interface EndOfSessionPacket {
  readonly type: "endOfSession";
}

/** A packet a client sends. */
export type ClientPacket =
  | DebugPacket
  | LoginRequestPacket
  | UnsequencedDataPacket
  | ClientHeartbeatPacket
  | LogoutRequestPacket;

/** A packet a server sends. */
export type ServerPacket =
  | DebugPacket
  | LoginAcceptedPacket
  | LoginRejectedPacket
  | SequencedDataPacket
  | ServerHeartbeatPacket
  | EndOfSessionPacket;

/** Any SoupBinTCP packet. */
export type SoupBinTcpPacket = ClientPacket | ServerPacket;
