/**
 * What a transport sends instead of an answer its medium cannot carry (a function or a class the
 * structured clone refuses, in a handler's result): each response that cannot travel becomes an INTERNAL
 * error envelope with its own id, so the other calls of a batch keep their outcomes and nobody waits.
 */
import { failure, isResponseMessage, type BatchResponseMessage, type ResponseMessage } from '../common/protocol'

export type Answer = ResponseMessage | BatchResponseMessage

export function unsendableAnswer(answer: Answer, canSend: (response: ResponseMessage) => boolean, message: string): Answer {
  const internal = (response: ResponseMessage): ResponseMessage =>
    canSend(response) ? response : failure(response.id, { code: 'INTERNAL', message })
  if (answer.kind === 'batch') {
    const responses = answer.responses.map((response) => (isResponseMessage(response) ? internal(response) : failure(null, { code: 'INTERNAL', message })))
    return answer.id === undefined ? { kind: 'batch', responses } : { kind: 'batch', id: answer.id, responses }
  }
  return failure(answer.id, { code: 'INTERNAL', message })
}

/** For transports that copy with the structured clone algorithm (Electron IPC, the in-memory bridge). */
export function isStructuredCloneable(value: unknown): boolean {
  try {
    structuredClone(value)
    return true
  } catch {
    return false
  }
}
