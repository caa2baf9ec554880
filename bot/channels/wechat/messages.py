"""What the WeChat channel itself says (everything else comes from the assistant)."""

WELCOME = "您好，欢迎关注！我是快递智能客服，可以帮您："

# (title, what choosing it says to the assistant): shown numbered, so "1" works as an answer.
WELCOME_OPTIONS = [
    ("查件：发运单号看物流进度", "我要查件"),
    ("报价：估算运费", "寄快递多少钱"),
    ("上门取件：预约快递员上门", "预约上门取件"),
    ("投诉：登记问题，24 小时内响应", "我要投诉"),
    ("理赔：破损、丢失、少件、延误", "我要申请理赔"),
    ("常见问题：服务时间、禁寄物品、保价、发票等", "常见问题"),
    ("转人工：随时说“转人工”即可", "转人工"),
]

UNSUPPORTED = (
    "抱歉，暂时还不能处理语音、视频、位置和链接消息。"
    "请直接发文字告诉我您的问题，理赔需要的照片可以直接发图片哦。"
)

SORRY = "抱歉，系统刚刚开了个小差，请稍后再发一次。给您添麻烦了！"

IMAGE_TEXT = "[图片]"
