import type { BotTestRequest, BotTrace } from '~/protocol/bots'
import { ref, shallowRef } from 'vue'
import { testBots } from '~/utils/bots/api'
import { describeBotsError } from '~/utils/bots/text'

/** The settings' test box: runs a message through the saved bots on the server and keeps its trace. */
export function useBotTest() {
  const testing = ref(false)
  const error = ref<string | null>(null)
  const trace = shallowRef<BotTrace | null>(null)

  async function test(body: BotTestRequest): Promise<void> {
    testing.value = true
    try {
      trace.value = await testBots(body)
    }
    catch (err) {
      trace.value = null
      error.value = describeBotsError(err)
    }
    finally {
      testing.value = false
    }
  }

  return { testing, error, trace, test }
}
