"""The courier's shared vocabulary: one module per concept, read by the actions, the NLU, the backend and console.

| module | what it knows |
| --- | --- |
| `numerals` | numbers as customers write them (三千五, 两箱, 1.5万), money in fen, weights in kg |
| `tracking_numbers` | the parcel tracking-number formats the backend accepts |
| `ticket_numbers` | complaint (CP) and claim (CL) ticket numbers |
| `phones` | mainland, Taiwan and Hong Kong mobile numbers: normalise, validate, mask (forms and logs) |
| `handoff_reasons` | why a conversation goes to a person, with the console's Chinese text and team |
| `anger` | the anger lexicon and its score |
| `geography` | provinces and cities (`china_places.yml`): canonical names, provinces, outside the mainland |
| `addresses` | a street address inside a message, split into province / city / district / street (`cpca`) |
| `time_windows` | relative days and time windows (后天上午, 周六下午三点前, 今晚), working days and holidays (`chinese-calendar`) |
| `names` | a customer's name (我姓李, 李女士, 王小明) and the polite form of address |
| `script` | Simplified or Traditional: which one a customer writes, conversion both ways (OpenCC) |

Nothing here imports Rasa, the backend or the console: every part of the system may import it.
"""
