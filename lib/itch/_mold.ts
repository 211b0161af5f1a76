// Private: the error of a message too long for a MoldUDP64 datagram's payload limit.
import { ItchEncodeError } from "./errors.ts";

/** Throws the `ItchEncodeError` for a message that cannot fit `maxPayload` bytes. */
export function failMessageSize(maxPayload: number, length: number): never {
  throw new ItchEncodeError(
    `Cannot encode moldUdp64Packet field messages as a message must be 1 to ${
      maxPayload - 2
    } bytes to fit ${maxPayload} bytes of payload: current length is ${length}`,
    { messageType: "moldUdp64Packet", field: "messages", value: length },
  );
}
