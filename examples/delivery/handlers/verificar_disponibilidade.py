# Verificar disponibilidade do item (a função do documento, com um estoque de verdade).
# O estoque é lido uma vez, quando o worker carrega o módulo, como numa Lambda aquecida.

ESTOQUE = {
    "pizza margherita": 12,
    "pastel de queijo": 30,
    "açaí 500ml": 0,
}


def lambda_handler(event, context):
    pedido = event["pedido"]
    disponivel = ESTOQUE.get(pedido["item"], 0)
    item_disponivel = disponivel >= pedido["quantidade"]
    if item_disponivel:
        return {"pedido": pedido, "status": "item_disponivel"}
    else:
        return {"pedido": pedido, "status": "item_indisponivel"}
