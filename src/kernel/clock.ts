/** The time source every expiry decision reads. Inject a fixed one in tests. */
export type Clock = () => Date

export const systemClock: Clock = () => new Date()

export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000)
}
